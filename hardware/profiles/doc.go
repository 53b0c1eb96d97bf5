// Package profiles describes equipment models as data: one YAML file per
// model gives its port settings, its framing family (cpr-binary,
// ascii-lines, modbus-rtu) and, for ASCII-line and Modbus models, the map
// from tags and keys or registers to the event types and fields of
// standards/vocabulary.yaml. A new model that speaks an existing family is
// added with a profile, not with code (docs/devices.md, "Profiles").
//
// The profiles of shicao's reference devices are embedded; Parse reads
// others. Parsing is strict: an unknown key, a missing field, a unit that
// contradicts the field name is an error naming the file and line.
package profiles
