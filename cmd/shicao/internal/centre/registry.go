package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"shicao/cmd/shicao/internal/credential"
	"shicao/standards"
	examsync "shicao/sync"
)

// Site is an exam site. Accepted marks an accepted exam site (考点); a
// training institution's site is registered with Accepted false, so that
// its equipment is known and refused (考培分离).
type Site struct {
	ID       string
	Name     string
	Accepted bool
}

// AddSite registers a site, or updates its name and flag (PutSite
// without the site as it was).
func (c *Centre) AddSite(ctx context.Context, s Site) error {
	_, err := c.PutSite(ctx, s)
	return err
}

// PutSite registers a site, or updates its name and flag, and returns the
// site as it was (nil when it is new): flipping a site between accepted
// and training decides whether exams may run there (考培分离), so the
// caller must be able to say so. It refuses a site without an id or a
// name.
func (c *Centre) PutSite(ctx context.Context, s Site) (was *Site, err error) {
	s.ID, s.Name = strings.TrimSpace(s.ID), strings.TrimSpace(s.Name)
	if s.ID == "" {
		return nil, errors.New("site: give an id")
	}
	if s.Name == "" {
		return nil, fmt.Errorf("site %s: give its name", s.ID)
	}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		old, err := siteByID(ctx, tx, s.ID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case old == s:
			was = &old
			return nil // nothing changed: the registry keeps its version
		default:
			was = &old
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sites (id, name, accepted, added_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, accepted = excluded.accepted`, s.ID, s.Name, s.Accepted, c.nowMs()); err != nil {
			return fmt.Errorf("site %s: %w", s.ID, err)
		}
		return bumpRegistry(ctx, tx)
	})
	return was, err
}

// SiteByID returns a site, or an error wrapping ErrNotFound.
func (c *Centre) SiteByID(ctx context.Context, id string) (Site, error) {
	return siteByID(ctx, c.db, id)
}

func siteByID(ctx context.Context, q queryer, id string) (Site, error) {
	var s Site
	err := q.QueryRowContext(ctx, `SELECT id, name, accepted FROM sites WHERE id = ?`, id).Scan(&s.ID, &s.Name, &s.Accepted)
	if err != nil {
		return s, fmt.Errorf("site %s: %w", id, translate(err))
	}
	return s, nil
}

// Station is a registered station: its name, the site it stands at and
// the verifier key that signs its requests and results.
type Station struct {
	Name, Site, Key string
	AddedMs         int64
}

// ShortKey returns a verifier key's name and key hash ("station-STN-01+1a2b3c4d"),
// which identify it in a message or a list without its 44 characters of
// base64.
func ShortKey(verifierKey string) string {
	parts := strings.SplitN(strings.TrimSpace(verifierKey), "+", 3)
	if len(parts) < 3 {
		return verifierKey
	}
	return parts[0] + "+" + parts[1]
}

// AddStation registers a new station (PutStation without replacing a
// key or returning the station as it was).
func (c *Centre) AddStation(ctx context.Context, name, site, verifierKey string) error {
	_, err := c.PutStation(ctx, Station{Name: name, Site: site, Key: verifierKey}, false)
	return err
}

// PutStation registers a station at a site with its verifier key, or
// moves a registered station to another site, and returns the station as
// it was (nil when it is new). A station at a training institution's site
// is a training station (考培分离): the registry signed for it says
// Training, it runs in training mode only, and no exam may run there —
// its exam results are refused (checkSite), its training results are
// refused as exam results (refuseTraining), and a plan for its site is
// not issued (checkPlan). A key that cannot be a
// station's: a signer (private) key, the centre's own key, a province key
// pinned to verify standards, or a key registered to another station.
// Another key for a registered station is refused unless replaceKey: a
// typo in a name must not take over another station's identity, and
// results and requests signed with the old key are refused once it is
// replaced.
func (c *Centre) PutStation(ctx context.Context, st Station, replaceKey bool) (was *Station, err error) {
	st.Name, st.Site, st.Key = strings.TrimSpace(st.Name), strings.TrimSpace(st.Site), strings.TrimSpace(st.Key)
	if st.Name == "" || st.Site == "" {
		return nil, errors.New("station: give its name and site")
	}
	if err := checkVerifierKey(st.Key, "the station's station.pub", "station.key never leaves the station"); err != nil {
		return nil, fmt.Errorf("station %s: %w", st.Name, err)
	}
	if st.Key == c.verifier {
		return nil, fmt.Errorf("station %s: %s is this centre's own key, not a station's: give the station's station.pub (shicao station init wrote it)", st.Name, ShortKey(st.Key))
	}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		_, err := siteByID(ctx, tx, st.Site)
		switch {
		case errors.Is(err, ErrNotFound):
			return fmt.Errorf("station %s: site %s is not registered (add it first: shicao centre site add)", st.Name, st.Site)
		case err != nil:
			return fmt.Errorf("station %s: %w", st.Name, err)
		}
		var root string
		err = tx.QueryRowContext(ctx, `SELECT name FROM trust_roots WHERE vkey = ?`, st.Key).Scan(&root)
		if err == nil {
			return fmt.Errorf("station %s: %s is a province key, pinned to verify standards, not a station's key: give the station's station.pub (shicao station init wrote it)", st.Name, ShortKey(st.Key))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT name FROM stations WHERE vkey = ? AND name <> ?`, st.Key, st.Name).Scan(&other)
		if err == nil {
			return fmt.Errorf("station %s: key %s is already registered to station %s, and each station signs with its own key: give %s's own station.pub", st.Name, ShortKey(st.Key), other, st.Name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		old, err := stationByName(ctx, tx, st.Name)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case old.Key != st.Key && !replaceKey:
			return fmt.Errorf("station %s is registered with key %s, not %s: if the station has a new key, run shicao centre station add again with --replace (sync the station first: what its old key signed is refused once the key is replaced)",
				st.Name, ShortKey(old.Key), ShortKey(st.Key))
		case old.Key == st.Key && old.Site == st.Site:
			was = &old
			return nil
		default:
			was = &old
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stations (name, site, vkey, added_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET site = excluded.site, vkey = excluded.vkey`, st.Name, st.Site, st.Key, c.nowMs()); err != nil {
			return fmt.Errorf("station %s: %w", st.Name, err)
		}
		// A station's registry carries its site's equipment: a station
		// moved to another site must get a new registry.
		return bumpRegistry(ctx, tx)
	})
	return was, err
}

func stationByName(ctx context.Context, q queryer, name string) (Station, error) {
	st := Station{Name: name}
	err := q.QueryRowContext(ctx, `SELECT site, vkey, added_ms FROM stations WHERE name = ?`, name).Scan(&st.Site, &st.Key, &st.AddedMs)
	if err != nil {
		return st, fmt.Errorf("station %s: %w", name, translate(err))
	}
	return st, nil
}

// checkVerifierKey refuses text that is not a note verifier key. The
// private signer key is the file an operator most often gives instead:
// it is named, with the file to give (pub) and why the private one stays
// where it is (keep).
func checkVerifierKey(key, pub, keep string) error {
	if strings.HasPrefix(key, "PRIVATE+KEY+") {
		return fmt.Errorf("that is a private signer key, not a verifier key: give %s; %s", pub, keep)
	}
	if _, err := standards.NewTrust(1, key); err != nil {
		return fmt.Errorf("not a verifier key (give %s): %w", pub, err)
	}
	return nil
}

// ProvinceKey returns the province verifier key in text (trimmed), or
// an error that says what the text is instead: a private signer key, or
// no key at all.
func ProvinceKey(text string) (string, error) {
	key := strings.TrimSpace(text)
	if err := checkVerifierKey(key, "the province's verifier key file (KEY.pub)", "a province's signer key belongs on its signing machine only"); err != nil {
		return "", err
	}
	return key, nil
}

// CheckProvinceKey refuses a key that cannot be a province's verifier
// key: one ProvinceKey refuses, this centre's own key, a registered
// station's key.
func (c *Centre) CheckProvinceKey(ctx context.Context, key string) error {
	return checkProvinceKey(ctx, c.db, c.verifier, key)
}

func checkProvinceKey(ctx context.Context, q queryer, centreKey, text string) error {
	key, err := ProvinceKey(text)
	if err != nil {
		return err
	}
	if key == centreKey {
		return fmt.Errorf("%s is this centre's own key, not a province key: give the province's verifier key file (KEY.pub)", ShortKey(key))
	}
	var st string
	err = q.QueryRowContext(ctx, `SELECT name FROM stations WHERE vkey = ?`, key).Scan(&st)
	if err == nil {
		return fmt.Errorf("%s is station %s's key, not a province key: give the province's verifier key file (KEY.pub)", ShortKey(key), st)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return translate(err)
	}
	return nil
}

// PinProvinceKeys pins province verifier keys at the centre, all or
// none: standards are published only when enough pinned keys sign them.
// A threshold above 0 becomes how many distinct pinned keys must sign;
// 0 keeps it. It returns, for each key, whether it was not pinned before.
// It refuses a key CheckProvinceKey refuses and a threshold above the
// number of pinned keys.
//
// It serves a province's key rotation: the new key is pinned beside the
// old while the province signs with both (docs/operations.md).
func (c *Centre) PinProvinceKeys(ctx context.Context, keys []string, threshold int) (added []bool, err error) {
	if threshold < 0 {
		return nil, fmt.Errorf("threshold %d: want 1 or more", threshold)
	}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		added = added[:0]
		for _, k := range keys {
			k = strings.TrimSpace(k)
			if err := checkProvinceKey(ctx, tx, c.verifier, k); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO trust_roots (name, vkey, added_ms) VALUES (?, ?, ?) ON CONFLICT (vkey) DO NOTHING`,
				strings.SplitN(k, "+", 2)[0], k, c.nowMs())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			added = append(added, n == 1)
		}
		if threshold == 0 {
			return nil
		}
		var pinned int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM trust_roots`).Scan(&pinned); err != nil {
			return err
		}
		if threshold > pinned {
			return fmt.Errorf("threshold %d: only %d province keys would be pinned, so no standard could ever be published; nothing was pinned", threshold, pinned)
		}
		return setMeta(ctx, tx, "trust_threshold", strconv.Itoa(threshold))
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// StationSite returns the site a station stands at.
func (c *Centre) StationSite(ctx context.Context, name string) (string, error) {
	var site string
	err := c.db.QueryRowContext(ctx, `SELECT site FROM stations WHERE name = ?`, name).Scan(&site)
	if errors.Is(err, sql.ErrNoRows) {
		return "", examsync.ErrUnknownStation
	}
	return site, translate(err)
}

// AddEquipment registers a device to a site, or moves it to another
// (PutEquipment without the device as it was).
func (c *Centre) AddEquipment(ctx context.Context, e examsync.Equipment) error {
	_, err := c.PutEquipment(ctx, e)
	return err
}

// PutEquipment registers a device to a site, or moves it to another or
// changes its kind or model, and returns the device as it was (nil when
// it is new): a device moved away is refused at its old site from then
// on, which the caller must be able to say. It refuses a kind that is not
// one of the centre's vocabulary's device kinds (a station could never
// use it) and
// a site that is not registered.
func (c *Centre) PutEquipment(ctx context.Context, e examsync.Equipment) (was *examsync.Equipment, err error) {
	e.Serial, e.Kind, e.Site = strings.TrimSpace(e.Serial), strings.TrimSpace(e.Kind), strings.TrimSpace(e.Site)
	if e.Serial == "" || e.Kind == "" {
		return nil, errors.New("equipment: give a serial number and a kind")
	}
	vocab, err := c.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	if kinds := vocab.DeviceKinds(); !slices.Contains(kinds, e.Kind) {
		return nil, fmt.Errorf("equipment %s: %q is not a device kind: use one of %s", e.Serial, e.Kind, strings.Join(kinds, ", "))
	}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := siteByID(ctx, tx, e.Site); errors.Is(err, ErrNotFound) {
			return fmt.Errorf("equipment %s: site %s is not registered (add it first: shicao centre site add)", e.Serial, e.Site)
		} else if err != nil {
			return fmt.Errorf("equipment %s: %w", e.Serial, err)
		}
		old := examsync.Equipment{Serial: e.Serial}
		err := tx.QueryRowContext(ctx, `SELECT site, kind, model FROM equipment WHERE serial = ?`, e.Serial).Scan(&old.Site, &old.Kind, &old.Model)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case old == e:
			was = &old
			return nil
		default:
			was = &old
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO equipment (serial, site, kind, model, added_ms) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (serial) DO UPDATE SET site = excluded.site, kind = excluded.kind, model = excluded.model`, e.Serial, e.Site, e.Kind, e.Model, c.nowMs()); err != nil {
			return fmt.Errorf("equipment %s: %w", e.Serial, err)
		}
		return bumpRegistry(ctx, tx)
	})
	return was, err
}

// RemoveEquipment takes a device off the registry (sold, broken, moved
// to a training institution).
func (c *Centre) RemoveEquipment(ctx context.Context, serial string) error {
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM equipment WHERE serial = ?`, serial)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("equipment %s: %w", serial, ErrNotFound)
		}
		return bumpRegistry(ctx, tx)
	})
}

// ExaminerRow is one examiner and one category, as imported (one row per
// examiner and category): the examiner's 身份证号 and name, the
// operation certificate of that category, and an initial PIN (hashed at
// once; empty keeps the examiner's PIN).
type ExaminerRow struct {
	ID, Name                             string
	Category, Number, ValidFrom, ValidTo string
	PIN                                  string
	// NotHeld is an explicit 是否持证 否: the examiner holds no
	// certificate of the category (any held before is revoked). A blank
	// 证书编号 alone never revokes one: a column lost in a spreadsheet
	// must not strip examiners of their certificates.
	NotHeld bool
	// Declared says the row carries the examiner's recusal declarations
	// (the import had a 所属培训机构 or 回避人员 column): they replace the
	// examiner's. Without the columns the declarations are kept.
	Declared bool
	// Institutions are the training institutions (培训机构) the examiner
	// belongs to; Persons the 身份证号 of people they must not examine
	// (回避: relatives, their own trainees).
	Institutions, Persons []string
	// Role is which the person is, as the notice's attachment asks:
	// RoleExaminer (考评员) or RoleTeacher (培训教师, a training
	// institution's teacher). Empty keeps the role held, RoleExaminer for
	// a new person.
	Role string
}

// The roles of the notice's attachment (考评员（培训机构教师）持证情况统计表).
const (
	RoleExaminer = "考评员"
	RoleTeacher  = "培训教师"
)

// The meta keys of an examiner's role and of a certificate withdrawn (the
// number it had). They live in the meta table, as the examiners and
// certificates tables have no column for them.
const (
	rolePrefix      = "examiner_role/"
	withdrawnPrefix = "certificate_withdrawn/"
	declaredPrefix  = "examiner_declared/" // JSON of an examsync.Declaration
)

func roleKey(id string) string                { return rolePrefix + id }
func declaredKey(id string) string            { return declaredPrefix + id }
func withdrawnKey(id, category string) string { return withdrawnPrefix + id + "/" + category }

// ImportExaminers adds or updates examiners and their certificates, all
// rows or none. A new examiner needs a PIN. Rows are checked first, and
// every problem is reported with its row number.
func (c *Centre) ImportExaminers(ctx context.Context, rows []ExaminerRow) error {
	if problems := examinerProblems(rows); len(problems) > 0 {
		return fmt.Errorf("examiners not imported:\n  %s", strings.Join(problems, "\n  "))
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		for i, r := range rows {
			if err := upsertExaminer(ctx, tx, i, r); err != nil {
				return err
			}
			if err := c.importCertificate(ctx, tx, i, r); err != nil {
				return err
			}
		}
		return bumpRegistry(ctx, tx)
	})
}

// examinerProblems checks every row, normalising each valid ID number in
// place, and returns each problem with its row number.
func examinerProblems(rows []ExaminerRow) []string {
	var problems []string
	for i, r := range rows {
		id, bad := credential.ValidIDNumber(r.ID)
		if bad != nil {
			problems = append(problems, fmt.Sprintf("row %d: 身份证号 %q: %s", i+1, r.ID, idProblem(r.ID, bad.EN)))
			continue
		}
		rows[i].ID = id
		if r.Name == "" || r.Category == "" {
			problems = append(problems, fmt.Sprintf("row %d: give the name and the category", i+1))
		}
		if r.PIN != "" && credential.ValidPIN(r.PIN) != nil {
			problems = append(problems, fmt.Sprintf("row %d: 初始密码 of examiner %s: %v", i+1, id, credential.ErrPINShort))
		}
		if r.Role != "" && r.Role != RoleExaminer && r.Role != RoleTeacher {
			problems = append(problems, fmt.Sprintf("row %d: 考评员（培训教师） %q: want %s or %s", i+1, r.Role, RoleExaminer, RoleTeacher))
		}
		if r.Role != "" {
			for j, o := range rows[:i] {
				if o.ID == id && o.Role != "" && o.Role != r.Role {
					problems = append(problems, fmt.Sprintf("row %d: %s is %s here and %s in row %d: one person, one role", i+1, r.Name, r.Role, o.Role, j+1))
					break
				}
			}
		}
		for _, p := range r.Persons {
			if _, bad := credential.ValidIDNumber(p); bad != nil {
				problems = append(problems, fmt.Sprintf("row %d: 回避人员 %q: %s", i+1, p, idProblem(p, bad.EN)))
			}
		}
		if r.NotHeld && r.Number != "" {
			problems = append(problems, fmt.Sprintf("row %d: 是否持证 is 否 but 证书编号 %s is given", i+1, r.Number))
		}
		if r.Number != "" {
			from, err1 := standards.ParseDate(r.ValidFrom)
			to, err2 := standards.ParseDate(r.ValidTo)
			if err1 != nil || err2 != nil || to.Before(from) {
				problems = append(problems, fmt.Sprintf("row %d: certificate %s: validity %q to %q is not two dates YYYY-MM-DD in order", i+1, r.Number, r.ValidFrom, r.ValidTo))
			}
		}
	}
	return problems
}

// upsertExaminer writes row i's examiner: name, PIN (a new one needs
// one), declaration and role.
func upsertExaminer(ctx context.Context, tx *sql.Tx, i int, r ExaminerRow) error {
	var have string
	err := tx.QueryRowContext(ctx, `SELECT pin_hash FROM examiners WHERE id = ?`, r.ID).Scan(&have)
	switch {
	case errors.Is(err, sql.ErrNoRows) && r.PIN == "":
		return fmt.Errorf("row %d: examiner %s is new: give an initial PIN", i+1, r.ID)
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return err
	}
	hash := have
	if r.PIN != "" {
		if hash, err = credential.HashPIN(r.PIN); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO examiners (id, name, pin_hash) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, pin_hash = excluded.pin_hash`, r.ID, r.Name, hash); err != nil {
		return fmt.Errorf("row %d: %w", i+1, err)
	}
	if r.Declared {
		d, err := json.Marshal(examsync.Declaration{Examiner: r.ID, Institutions: r.Institutions, Persons: r.Persons})
		if err != nil {
			return err
		}
		if err := setMeta(ctx, tx, declaredKey(r.ID), string(d)); err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	if r.Role != "" {
		if err := setMeta(ctx, tx, roleKey(r.ID), r.Role); err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	return nil
}

// importCertificate writes row i's certificate of its category: held
// (with its number) or not (未持证, or withdrawn), keeping the one it
// replaces in history.
func (c *Centre) importCertificate(ctx context.Context, tx *sql.Tx, i int, r ExaminerRow) error {
	var old examsync.Certificate
	err := tx.QueryRowContext(ctx, `SELECT number, valid_from, valid_to FROM certificates WHERE examiner_id = ? AND category = ?`, r.ID, r.Category).
		Scan(&old.Number, &old.ValidFrom, &old.ValidTo)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if r.Number == "" {
		if old.Number != "" && !r.NotHeld {
			return fmt.Errorf("row %d: examiner %s (%s) holds %s certificate %s, and the row's 证书编号 is empty: to record that they no longer hold it, write 否 in 是否持证; otherwise give the number", i+1, r.Name, r.ID, r.Category, old.Number)
		}
		// 未持证: the row declares that the examiner holds no
		// certificate of this category (kept, with an empty
		// number, for the notice's table; it entitles no one).
		r.ValidFrom, r.ValidTo = "", ""
		if old.Number != "" {
			// Withdrawn: the notice's table says so, with the
			// number that was withdrawn.
			if err := setMeta(ctx, tx, withdrawnKey(r.ID, r.Category), old.Number); err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
		}
	} else if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, withdrawnKey(r.ID, r.Category)); err != nil {
		return fmt.Errorf("row %d: %w", i+1, err)
	}
	if old.Number != "" && (old.Number != r.Number || old.ValidFrom != r.ValidFrom || old.ValidTo != r.ValidTo) {
		if err := c.keepReplaced(ctx, tx, r, old); err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (examiner_id, category, number, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (examiner_id, category) DO UPDATE SET number = excluded.number, valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
		r.ID, r.Category, r.Number, r.ValidFrom, r.ValidTo); err != nil {
		return fmt.Errorf("row %d: %w", i+1, err)
	}
	return nil
}

// keepReplaced keeps the certificate old, which r replaces, in history.
// A renewal keeps its whole window: results examined under it still
// verify. A withdrawal (否) or an earlier end cuts what every kept
// certificate of the category still explains (持证上岗 per the registry
// as it is now), and the results already receipted that it no longer
// covers are listed in an alarm for people to review.
func (c *Centre) keepReplaced(ctx context.Context, tx *sql.Tx, r ExaminerRow, old examsync.Certificate) error {
	coversTo, cut := old.ValidTo, false
	switch {
	case r.Number == "":
		coversTo, cut = "", true
	case r.ValidTo < old.ValidTo:
		coversTo, cut = r.ValidTo, true
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO certificate_history (examiner_id, category, number, valid_from, valid_to, replaced_ms, covers_to) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Category, old.Number, old.ValidFrom, old.ValidTo, c.nowMs(), coversTo); err != nil {
		return err
	}
	if cut {
		if _, err := tx.ExecContext(ctx, `UPDATE certificate_history SET covers_to = min(covers_to, ?) WHERE examiner_id = ? AND category = ?`, coversTo, r.ID, r.Category); err != nil {
			return err
		}
		if err := c.alarmUncovered(ctx, tx, r, old, coversTo); err != nil {
			return err
		}
	}
	return nil
}

// Examiners returns every examiner with their certificates, by id.
func (c *Centre) Examiners(ctx context.Context) ([]examsync.Examiner, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT e.id, e.name, e.pin_hash, coalesce(c.category, ''), coalesce(c.number, ''), coalesce(c.valid_from, ''), coalesce(c.valid_to, '')
		FROM examiners e LEFT JOIN certificates c ON c.examiner_id = e.id ORDER BY e.id, c.category`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []examsync.Examiner
	for rows.Next() {
		var e examsync.Examiner
		var cert examsync.Certificate
		if err := rows.Scan(&e.ID, &e.Name, &e.PinHash, &cert.Category, &cert.Number, &cert.ValidFrom, &cert.ValidTo); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != e.ID {
			out = append(out, e)
		}
		if cert.Number != "" {
			last := &out[len(out)-1]
			last.Certificates = append(last.Certificates, cert)
		}
	}
	return out, rows.Err()
}

// Equipment returns the devices registered to a site ("" for all).
func (c *Centre) Equipment(ctx context.Context, site string) ([]examsync.Equipment, error) {
	q, args := `SELECT serial, kind, model, site FROM equipment`, []any{}
	if site != "" {
		q, args = q+` WHERE site = ?`, append(args, site)
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY site, kind, serial`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []examsync.Equipment
	for rows.Next() {
		var e examsync.Equipment
		if err := rows.Scan(&e.Serial, &e.Kind, &e.Model, &e.Site); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RegistryFor returns the registry a station gets, signed by the centre:
// the examiners named on the plans it gets (PlansFor) with their PIN
// hashes and certificates, and the equipment of its own site. A station
// signs in only the examiners of its plan, so the others' PIN hashes
// have no business there.
func (c *Centre) RegistryFor(ctx context.Context, stationName string) ([]byte, error) {
	site, err := c.StationSite(ctx, stationName)
	if err != nil {
		return nil, err
	}
	v, err := meta(ctx, c.db, "registry_version")
	if errors.Is(err, ErrNotFound) {
		v, err = "0", nil
	}
	if err != nil {
		return nil, err
	}
	version, _ := strconv.ParseInt(v, 10, 64)
	r := examsync.Registry{Kind: examsync.KindRegistry, Site: site, Version: version, Examiners: []examsync.Examiner{}, Equipment: []examsync.Equipment{}}
	if s, err := siteByID(ctx, c.db, site); err == nil {
		r.Training = !s.Accepted // training mode at the station (考培分离)
	}
	onPlans, err := c.planExaminers(ctx, stationName)
	if err != nil {
		return nil, err
	}
	all, err := c.Examiners(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		if onPlans[x.ID] {
			r.Examiners = append(r.Examiners, x)
		}
	}
	if r.Equipment, err = c.Equipment(ctx, site); err != nil {
		return nil, err
	}
	return examsync.SignWith(r, c.signer)
}

// planExaminers returns the ids of the examiners named on the plans a
// station gets (from yesterday on, as PlansFor).
func (c *Centre) planExaminers(ctx context.Context, stationName string) (map[string]bool, error) {
	from := standards.DateOf(c.now().In(c.zone).AddDate(0, 0, -1)).String()
	rows, err := c.db.QueryContext(ctx, `SELECT doc FROM plans WHERE station = ? AND date >= ?`, stationName, from)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var p examsync.Plan
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return nil, fmt.Errorf("plan of station %s: %w", stationName, err)
		}
		for _, id := range p.Examiners {
			out[id] = true
		}
	}
	return out, rows.Err()
}

// Declarations returns every examiner's recusal declarations, by id.
func (c *Centre) Declarations(ctx context.Context) (map[string]examsync.Declaration, error) {
	raw, err := c.metaWithPrefix(ctx, declaredPrefix)
	if err != nil {
		return nil, err
	}
	out := map[string]examsync.Declaration{}
	for k, v := range raw {
		var d examsync.Declaration
		if err := json.Unmarshal([]byte(v), &d); err != nil {
			return nil, fmt.Errorf("declarations of %s: %w", k, err)
		}
		out[strings.TrimPrefix(k, declaredPrefix)] = d
	}
	return out, nil
}
