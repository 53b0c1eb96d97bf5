package profiles

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// ParseVocabulary reads the event types and field types of
// standards/vocabulary.yaml (its devices.*.events and system sections) in
// the shape Profile.Check takes. It reads only what profiles need and
// leaves the rest of the file to package standards.
func ParseVocabulary(data []byte) (map[string]map[string]string, error) {
	var doc struct {
		Devices map[string]struct {
			Events map[string]map[string]string `yaml:"events"`
		} `yaml:"devices"`
		System map[string]map[string]string `yaml:"system"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse vocabulary: %w", err)
	}
	vocab := map[string]map[string]string{}
	for _, d := range doc.Devices {
		for ev, fields := range d.Events {
			vocab[ev] = fields
		}
	}
	for ev, fields := range doc.System {
		vocab[ev] = fields
	}
	return vocab, nil
}
