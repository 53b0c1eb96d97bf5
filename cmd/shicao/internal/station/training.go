package station

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
	examsync "shicao/sync"
)

// Training mode (考培分离): a station at a training institution's site
// runs the same standards for practice. Its results are signed with
// Purpose "training", which the centre refuses as an exam result; a
// trainee may attempt a plan's paper again and again (no once-per-attempt
// rule), on any day the plan was issued for; the TUI shows each deduction
// as it happens (Exam.Training). The centre's signed registry says
// whether the site is a training site (examsync.Registry.Training). An
// accepted exam site's station may be switched to training mode
// (Config.Training, SetTraining), but never on an exam day: not while a
// plan for today at its site is loaded.

// metaSiteTraining holds "1" when the last registry imported says the
// station's site is a training institution's.
const metaSiteTraining = "site_training"

// loadTraining reads what the last registry said about the site, and
// switches to training mode if the config asks (SetTraining's rules).
func (s *Station) loadTraining(ctx context.Context) error {
	v, err := s.st.Meta(ctx, metaSiteTraining)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("read the site's kind: %w", err)
	}
	s.trainingMu.Lock()
	s.trainingSite = v == "1"
	s.trainingMu.Unlock()
	if s.cfg.Training {
		return s.SetTraining(ctx, true)
	}
	return nil
}

// Training reports whether the station runs in training mode: its site
// is a training institution's, or it was switched to training mode.
func (s *Station) Training() bool {
	s.trainingMu.Lock()
	defer s.trainingMu.Unlock()
	return s.trainingSite || s.trainingMode
}

// TrainingSite reports whether the registry says the station's site is a
// training institution's (training mode always, 考培分离).
func (s *Station) TrainingSite() bool {
	s.trainingMu.Lock()
	defer s.trainingMu.Unlock()
	return s.trainingSite
}

// setTrainingSite records what an imported registry says about the site.
func (s *Station) setTrainingSite(ctx context.Context, training bool) error {
	v := "0"
	if training {
		v = "1"
	}
	if err := s.st.SetMeta(ctx, metaSiteTraining, v); err != nil {
		return err
	}
	s.trainingMu.Lock()
	s.trainingSite = training
	s.trainingMu.Unlock()
	return nil
}

// SetTraining switches training mode on or off. It refuses to switch an
// accepted exam site's station to training mode on an exam day (a plan
// for today at its site is loaded: training-exam-day), and a training
// institution's station out of it (training-site: no exam may run
// there).
func (s *Station) SetTraining(ctx context.Context, on bool) error {
	if !on {
		if s.TrainingSite() {
			return refuse("training-site", "本站所在考点 %s 是培训机构考点，只能以培训模式运行（考培分离）", "site %s is a training institution's site: the station runs in training mode only (考培分离)", s.cfg.Site)
		}
		s.trainingMu.Lock()
		s.trainingMode = false
		s.trainingMu.Unlock()
		return nil
	}
	if !s.TrainingSite() {
		if ref, err := s.examDay(ctx); err != nil {
			return err
		} else if ref != nil {
			return ref
		}
	}
	s.trainingMu.Lock()
	s.trainingMode = true
	s.trainingMu.Unlock()
	return nil
}

// examDay refuses training mode at an accepted exam site when a plan for
// today at its site is loaded.
func (s *Station) examDay(ctx context.Context) (*Refusal, error) {
	today := s.Today().String()
	plans, err := s.st.Plans(ctx, today)
	if err != nil {
		return nil, fmt.Errorf("look up today's plans: %w", err)
	}
	for _, p := range plans {
		if p.Site == s.cfg.Site {
			return refuse("training-exam-day", "今天（%s）是考点 %s 的考试日（已载入考试计划 %s）：考试日不得切换到培训模式", "today (%s) is an exam day at site %s (exam plan %s is loaded): the station cannot switch to training mode on an exam day",
				today, s.cfg.Site, p.ID), nil
		}
	}
	return nil, nil
}

// Training reports whether the exam runs in training mode: its result is
// signed as a training result, and the screen shows each deduction to the
// trainee as it happens (live feedback).
func (e *Exam) Training() bool { return e.training }

// Training reports whether the item's exam runs in training mode.
func (it *Item) Training() bool { return it.exam.training }

// TrainingAttempt is one signed training result, numbered among its
// trainee's attempts in the order they were signed.
type TrainingAttempt struct {
	IDNumber string // the trainee's 身份证号
	Name     string
	N        int // 1 for the trainee's first training result
	Result   string
	Plan     string
	Date     string
	SignedMs int64
	Total    standards.Points
	Passed   bool
	Subjects []SubjectScore
}

// SubjectScore is one item's score on a training result.
type SubjectScore struct {
	Subject  string
	Standard string
	Score    standards.Points
	Veto     bool
}

// TrainingAttempts returns the station's training results, by trainee
// (身份证号) and, for each, in the order signed: a trainee's progress over
// attempts. Exam results are left out.
func (s *Station) TrainingAttempts(ctx context.Context) ([]TrainingAttempt, error) {
	results, err := s.st.Results(ctx)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var out []TrainingAttempt
	for _, r := range results {
		var doc examsync.ResultDoc
		if err := json.Unmarshal(standards.SplitNote(r.Signed), &doc); err != nil {
			return nil, fmt.Errorf("result %s: %w", r.ID, err)
		}
		if !doc.Training() || doc.Paper == nil {
			continue
		}
		a := TrainingAttempt{IDNumber: doc.Candidate.IDNumber, Name: doc.Candidate.Name, Result: doc.ID, Plan: doc.Plan, Date: doc.Date,
			SignedMs: doc.SignedMs, Total: doc.Paper.Total, Passed: doc.Paper.Passed}
		for _, it := range doc.Items {
			if it.Sheet == nil {
				continue
			}
			a.Subjects = append(a.Subjects, SubjectScore{Subject: it.Subject, Standard: it.Standard.ID, Score: it.Sheet.Score, Veto: it.Sheet.Veto != nil})
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b TrainingAttempt) int {
		return cmp.Or(strings.Compare(strings.ToUpper(a.IDNumber), strings.ToUpper(b.IDNumber)), cmp.Compare(a.SignedMs, b.SignedMs), strings.Compare(a.Result, b.Result))
	})
	for i := range out {
		out[i].N = 1
		if i > 0 && strings.EqualFold(out[i-1].IDNumber, out[i].IDNumber) {
			out[i].N = out[i-1].N + 1
		}
	}
	return out, nil
}

// TrainingCSVHeader is the header row of WriteTrainingCSV.
var TrainingCSVHeader = []string{"身份证号", "姓名", "第几次", "日期", "签名时间", "总分", "合格", "各科目", "成绩编号", "考试计划"}

// WriteTrainingCSV writes training attempts as CSV for the training
// institution: one row per attempt, a trainee's attempts together and in
// order, the 身份证号 masked (MaskID) as on every screen.
func WriteTrainingCSV(w io.Writer, attempts []TrainingAttempt, zone *time.Location) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TrainingCSVHeader); err != nil {
		return err
	}
	for _, a := range attempts {
		var subj []string
		for _, x := range a.Subjects {
			v := fmt.Sprintf("%s %s %s", x.Subject, x.Standard, x.Score)
			if x.Veto {
				v += " 否决"
			}
			subj = append(subj, v)
		}
		passed := "否"
		if a.Passed {
			passed = "是"
		}
		row := []string{MaskID(a.IDNumber), a.Name, strconv.Itoa(a.N), a.Date, time.UnixMilli(a.SignedMs).In(zone).Format("2006-01-02 15:04:05"),
			a.Total.String(), passed, strings.Join(subj, "; "), a.Result, a.Plan}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
