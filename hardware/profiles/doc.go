// Package profiles describes equipment models as data: one YAML file per
// model gives its port settings, its framing (text lines with any
// delimiters and checksum, binary frames with header, length, type and
// checksum, or Modbus RTU registers), the map from records to the event
// types and fields of standards/vocabulary.yaml, the fields it cannot
// measure, the transforms that derive events from raw samples, and test
// captures: recorded bytes and the events they must give. A new model is
// added with a profile, not with code (docs/devices.md, "Profiles").
//
// Stream decodes a streaming model's bytes into events; it is a pure
// codec over package framing. The profiles of the devices shicao ships
// with are embedded; Parse reads others. Parsing is strict: an unknown
// key, a missing field, a unit that contradicts the field name is an
// *Error naming the file and line, and a profile whose captures do not
// give their events is refused.
package profiles
