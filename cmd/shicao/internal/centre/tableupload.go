package centre

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Imports uploaded to the console: the same tables as the files the
// commands read (ReadTable, PlanRowsFromFile, ExaminerRowsFromFile), from
// the bytes of an upload, with the same checks and the same located
// errors, naming the file as the browser gave it.

// PlanRowsFromUpload reads a plan roster uploaded as name (.csv or
// .xlsx, by its extension), as PlanRowsFromFile reads a file.
func PlanRowsFromUpload(name string, b []byte) ([]PlanRow, error) {
	header, rows, err := readTable(name, b)
	if err != nil {
		return nil, err
	}
	return planRows(name, header, rows)
}

// ExaminerRowsFromUpload reads an examiner import uploaded as name, as
// ExaminerRowsFromFile reads a file.
func ExaminerRowsFromUpload(name string, b []byte) ([]ExaminerRow, error) {
	header, rows, err := readTable(name, b)
	if err != nil {
		return nil, err
	}
	return examinerRows(name, header, rows)
}

// readTable is ReadTable over a file's bytes, name saying its kind (by
// its extension) and naming it in errors: a file on disk, or one
// uploaded to the console.
func readTable(path string, b []byte) (header []string, rows [][]string, err error) {
	var all [][]string
	sheet := "" // the sheet read, to name it if it is empty
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		// A date a person types into Excel is a date cell in the short
		// date format (built-in 14), which excelize would render as
		// mm-dd-yy; the imports want the YYYY-MM-DD the CSV holds.
		f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{ShortDatePattern: "yyyy-mm-dd"})
		if errors.Is(err, zip.ErrFormat) {
			return nil, nil, fmt.Errorf("%s: not an Excel workbook (.xlsx); save it from Excel as .xlsx or as CSV UTF-8", path)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil, fmt.Errorf("%s: no sheet", path)
		}
		sheet = sheets[0]
		if all, err = f.GetRows(sheet); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	case ".csv", ".txt":
		if !utf8.Valid(b) {
			return nil, nil, fmt.Errorf(`%s: not UTF-8 text (Excel's "CSV" on a Chinese system writes GBK): save it as "CSV UTF-8" or as .xlsx`, path)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		r.FieldsPerRecord = -1
		if all, err = r.ReadAll(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	default:
		return nil, nil, fmt.Errorf("%s: give a .csv or .xlsx file", path)
	}
	for _, r := range all {
		blank := true
		for i := range r {
			r[i] = strings.TrimSpace(r[i])
			blank = blank && r[i] == ""
		}
		if blank {
			continue
		}
		if header == nil {
			header = r
			continue
		}
		rows = append(rows, r)
	}
	if header == nil && sheet != "" {
		return nil, nil, fmt.Errorf("%s: the first sheet %q is empty (the table is read from the first sheet)", path, sheet)
	}
	if header == nil {
		return nil, nil, fmt.Errorf("%s: empty", path)
	}
	return header, rows, nil
}
