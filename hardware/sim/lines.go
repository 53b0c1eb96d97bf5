package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"shicao/hardware"
	"shicao/hardware/asciiline"
)

// lineScript plays the ASCII-line trainers in their reference protocols
// (hardware/profiles/{extinguisher,ppe,harness}.yaml).
func lineScript(kind hardware.Kind, scenario string, rng *rand.Rand) ([]step, func(time.Duration) []byte) {
	var steps []step
	line := func(at time.Duration, tag string, kv ...string) {
		l := asciiline.Line{Tag: tag}
		for i := 0; i < len(kv); i += 2 {
			l.Fields = append(l.Fields, asciiline.Field{Key: kv[i], Value: kv[i+1]})
		}
		l.Fields = append(l.Fields, asciiline.Field{Key: "t", Value: fmt.Sprint(int64(at / time.Millisecond))})
		b, err := asciiline.AppendLine(nil, l)
		if err != nil {
			panic(fmt.Sprintf("sim: script line %v: %v", l, err)) // a bug in the script
		}
		steps = append(steps, step{at: at, data: b})
	}
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	var statusTag, model, serial string
	switch kind {
	case hardware.KindExtinguisher:
		statusTag, model, serial = "EXSTS", "SHICAO-EXT-1", "SIMEXT000001"
		class, agent, classes, distance := "B", "dp", "A|B|C", 380+rng.IntN(80)
		switch scenario {
		case "wrong-distance":
			distance = 620 + rng.IntN(60)
		case "water-on-electrical":
			class, agent, classes = "E", "water", "A"
		}
		line(sec(1), "EXSCN", "c", class)
		line(sec(3), "EXUNT", "agent", agent, "cls", classes)
		line(sec(6), "EXPOS", "d", fmt.Sprint(distance), "up", "1")
		line(sec(8), "EXPIN", "p", "1")
		rem := 100
		at := 9.0
		for rem > 20 {
			rem -= 12 + rng.IntN(5)
			line(sec(at), "EXSPR", "aim", "B", "sw", "NF", "rem", fmt.Sprint(max(rem, 0)))
			at += 1.2
		}
		line(sec(at), "EXRET", "rem", fmt.Sprint(max(rem-3, 0)))
		line(sec(at+0.5), "EXSTP", "rem", fmt.Sprint(max(rem-4, 0)))
		line(sec(at+2), "EXFLM", "out", "1")
	case hardware.KindPPE:
		statusTag, model, serial = "PPSTS", "SHICAO-PPE-1", "SIMPPE000001"
		items := []string{"helmet", "face-shield", "respirator", "earplugs", "welding-jacket", "welding-gloves", "safety-boots", "spats"}
		if scenario == "missing-gloves" {
			items = append(items[:5], items[6:]...)
		}
		rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		for i := range items {
			line(sec(2+2*float64(i)), "PPTKN", "items", strings.Join(items[:i+1], "|"))
		}
	case hardware.KindHarness:
		statusTag, model, serial = "HKSTS", "SHICAO-HOOK-1", "SIMHOOK00001"
		bw := "0"
		if scenario == "hook-low" {
			bw = "1"
		}
		line(sec(1), "HOOK", "att", "0", "h", "0", "bw", "0")
		line(sec(4), "HOOK", "att", "1", "h", "20", "bw", bw)
		line(sec(8), "HOOK", "att", "1", "h", fmt.Sprint(250+rng.IntN(30)), "bw", bw)
		line(sec(14), "HOOK", "att", "1", "h", fmt.Sprint(320+rng.IntN(30)), "bw", bw)
		line(sec(20), "HOOK", "att", "1", "h", "30", "bw", bw)
		line(sec(23), "HOOK", "att", "0", "h", "0", "bw", "0")
	}
	status := func(at time.Duration) []byte {
		b, _ := asciiline.AppendLine(nil, asciiline.Line{Tag: statusTag, Fields: []asciiline.Field{
			{Key: "model", Value: model}, {Key: "sn", Value: serial}, {Key: "fw", Value: "1.0.3"},
			{Key: "bat", Value: "77"}, {Key: "t", Value: fmt.Sprint(int64(at / time.Millisecond))}}})
		return b
	}
	return steps, status
}
