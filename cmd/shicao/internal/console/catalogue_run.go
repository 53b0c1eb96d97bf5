package console

// The catalogue's text for Run the day (run.html).
func init() {
	for k, v := range runText {
		catalogue[k] = v
	}
}

var runText = map[string][2]string{
	"nav.run":            {"考务办理", "Run the day"},
	"run.title":          {"考务办理", "Run the day"},
	"run.hint":           {"导入考试计划和考评员名单、发布评分标准、登记考位和设备，与 shicao centre 命令做的相同。", "Import plans and examiner rosters, publish standards, register stations and equipment: what the shicao centre commands do."},
	"run.form.plans":     {"导入考试计划", "Import exam plans"},
	"run.form.examiners": {"导入考评员名单", "Import the examiners"},
	"run.form.standards": {"发布评分标准", "Publish standards"},
	"run.form.station":   {"登记考位", "Register a station"},
	"run.form.equipment": {"登记设备", "Register equipment"},
	"run.refused":        {"未执行", "refused"},
	"run.allornone":      {"全部或全不：本次上传的内容一条也没有导入。改正上面列出的各行后，重新上传整个文件。", "All or nothing: nothing of this upload was imported. Correct the rows listed above and upload the whole file again."},
	"run.plans.hint":     {"省考试系统导出的名单（.xlsx 或 CSV UTF-8），每名考生一行：计划编号、考试日期、考点、考站、作业类别、试卷、身份证号、姓名、考试类型、考评员。每个计划由考务中心签名后下发到考位。", "The province's roster export (.xlsx or CSV UTF-8), a row per candidate: 计划编号, 考试日期, 考点, 考站, 作业类别, 试卷, 身份证号, 姓名, 考试类型, 考评员. Each plan is signed by the centre and issued to its station."},
	"run.plans.today":    {"今日考试计划", "Today's plans"},
	"run.file":           {"文件", "File"},
	"run.files":          {"文件（可多选）", "Files (one or more)"},
	"run.import":         {"上传并导入", "Upload and import"},
	"run.today":          {"今日考试计划", "Plans issued for today,"},
	"run.candidates":     {"考生", "candidates"},
	"run.examiners":      {"考评员", "examiners"},
	"run.examiners.hint": {"每名考评员每个作业类别一行：身份证号、考评员姓名、作业类别、证书编号、有效期起、有效期止，可选初始密码、是否持证。", "A row per examiner and category: 身份证号, 考评员姓名, 作业类别, 证书编号, 有效期起, 有效期止; optional 初始密码, 是否持证."},
	"run.standards.hint": {"省级签名的评分标准或试卷蓝图（.signed）：签名不足、无法编译、自带测试不通过或版本不高于已发布的，一律拒绝。", "Province-signed standards or blueprints (.signed): refused unless signed enough, compiling, passing their own test vectors, and of a higher version than any published."},
	"run.publish":        {"上传并发布", "Upload and publish"},
	"run.stationname":    {"考位名称", "Station name"},
	"run.key":            {"考位公钥（station.pub 的内容）", "Station key (station.pub's text)"},
	"run.keyfile":        {"或上传 station.pub", "or upload station.pub"},
	"run.replace":        {"更换已登记考位的密钥（旧密钥签名的成绩此后一律拒收）", "Replace a registered station's key (what the old key signed is refused from then on)"},
	"run.register":       {"登记", "Register"},
	"run.serial":         {"序列号", "Serial"},
	"run.kind":           {"设备类型", "Kind"},
	"run.model":          {"型号", "Model"},
	"run.sites":          {"考点在此登记：", "Sites are registered on"},
	"run.issued":         {"已下发考试计划", "Issued plan"},
	"run.examinerrows":   {"已导入考评员行数：", "Examiner rows imported:"},
	"run.unexaminable":   {"按现在的考评员证书，该计划无法按下发的内容考试：请在考评员一栏换人后重新导入其名单", "the plan cannot be examined as issued with the certificates now held: import its roster again with another examiner in 考评员"},
	"run.nofile":         {"请选择要上传的文件。", "Choose a file to upload."},
	"run.notrust":        {"本考务中心尚未固定省级公钥，不能发布评分标准：先用 shicao centre trust add 固定省里提供的公钥。", "No province key is pinned at this centre, so it publishes no standard: pin the province's key first (shicao centre trust add)."},
	"run.already":        {"已发布过，未改变", "published already, unchanged"},
	"run.published":      {"已发布", "Published"},
	"run.nrefused":       {"个文件被拒绝：", "file(s) refused:"},
	"run.stationadded":   {"已登记考位", "Registered station"},
	"run.unchanged":      {"已登记，未改变：", "Already registered, unchanged:"},
	"run.moved":          {"考位已迁到其他考点", "Station moved"},
	"run.rekeyed":        {"考位密钥已更换，旧密钥签名的成绩此后一律拒收", "Station key replaced; what the old key signed is refused from now on"},
	"run.deviceadded":    {"已登记设备", "Registered"},
	"run.devicechanged":  {"设备已更新", "Updated"},
	"run.devicemoved":    {"设备已迁到其他考点，原考点使用它的成绩此后拒收", "Device moved; results at its old site that use it are refused from now on"},
}
