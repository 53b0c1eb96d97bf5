package console

// The candidate page's own texts; keys it shares with the staff pages
// (result.*, chart.*, verdict.*) come from the console's catalogue.
var candidateCatalogue = map[string][2]string{
	"cand.title":          {"考生成绩查询", "Your exam record"},
	"cand.record":         {"考生成绩记录", "Exam record"},
	"cand.intro":          {"请输入身份证号和成绩单上的核验码（成绩单二维码下方以 SC1: 开头的一串字符）。本页只显示与这两项都相符的一份成绩。", "Enter your ID number and your slip's code (the text starting SC1: under the slip's QR code). This page shows only the one result that matches both."},
	"cand.idnumber":       {"身份证号", "ID number (身份证号)"},
	"cand.code":           {"成绩单核验码", "Slip code"},
	"cand.submit":         {"查询", "Show my record"},
	"cand.refused":        {"身份证号与核验码不匹配，或没有这份成绩。请核对成绩单后重试。", "The ID number and slip code do not match a result held here. Check your slip and try again."},
	"cand.limited":        {"尝试次数过多，请稍后再试。", "Too many tries: try again later."},
	"cand.pdf":            {"下载 PDF", "Download PDF"},
	"cand.again":          {"查询另一份", "Look up another"},
	"cand.masked":         {"身份证号（部分隐藏）", "ID number (masked)"},
	"cand.name":           {"姓名", "Name"},
	"cand.slip":           {"成绩单核验码", "Slip code"},
	"cand.qr":             {"二维码内容为成绩单核验码，可用 shicao verify --slip 核验。", "The QR code carries the slip code: shicao verify --slip checks it."},
	"cand.decided":        {"复核后成绩", "Score after review"},
	"cand.noappeal":       {"无申诉。", "No appeal."},
	"cand.station":        {"考位", "Station"},
	"cand.site":           {"考点", "Site"},
	"cand.printed":        {"生成时间", "Made"},
	"cand.page":           {"页", "page"},
	"appeal.title":        {"申诉 / 复核", "Appeal (申诉/复核)"},
	"appeal.state":        {"状态", "State"},
	"appeal.when":         {"时间", "When"},
	"appeal.index":        {"日志序号", "Log index"},
	"appeal.detail":       {"说明", "Detail"},
	"appeal.filed":        {"申诉已受理", "appeal filed"},
	"appeal.assigned":     {"已指派复核人员", "reviewer assigned"},
	"appeal.upheld":       {"维持原成绩", "original score upheld"},
	"appeal.rescored":     {"复核改分", "re-scored"},
	"appeal.reexam":       {"安排补考", "re-exam ordered"},
	"appeal.now.filed":    {"申诉处理中：显示原成绩，待复核决定。", "Appeal in progress: the original score stands until it is decided."},
	"appeal.now.assigned": {"复核中：显示原成绩，待复核决定。", "Under review: the original score stands until it is decided."},
	"appeal.now.upheld":   {"复核结论：维持原成绩。", "Review decided: the original score is upheld."},
	"appeal.now.rescored": {"复核结论：重新评分，以复核后成绩为准。", "Review decided: re-scored; the score after review applies."},
	"appeal.now.reexam":   {"复核结论：安排补考，原成绩保留。", "Review decided: a re-exam is ordered; the original score is kept."},
}

// candidateText returns the candidate page's text for key in lang,
// falling back on the console's catalogue.
func candidateText(lang, key string) string {
	if t, ok := candidateCatalogue[key]; ok {
		if lang == "en" {
			return t[1]
		}
		return t[0]
	}
	return text(lang, key)
}
