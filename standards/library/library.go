// Package library embeds the sample standards and paper blueprints: SS-1…SS-6
// and the examiner-only K13 and K31 of DOMAIN.md, at least one sheet for each
// subject of every category the notice names, the common subjects (灭火器,
// 正压式空气呼吸器, 创伤包扎, 自救器), and the blueprints of 低压电工作业,
// 高压电工作业, 熔化焊接与热切割作业, 高处安装、维护、拆除作业, 登高架设作业, the two
// 制冷与空调 operations, 烟花爆竹储存作业 and a 通用科目 paper. Each file's notes
// cite its sources and mark its design choices. They are the test suite's
// backbone and the demo's data; a real station loads the province's signed
// standards instead.
package library

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Names returns the library's file names in order.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// Read returns one file's bytes.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }
