package station

import (
	examsync "shicao/sync"
)

// Forwards for package main and tui; removed by the lead after the #15 merge.
// The result protocol now lives in package sync (imported as examsync).

type (
	Identity = examsync.Identity
	Verified = examsync.Verified
)

const IdentityCard = examsync.IdentityCard

var VerifyBundle = examsync.VerifyBundle
