package centre

import "io"

// WriteXLSX writes the table as WriteFile lays out an XLSX, to w (a
// browser's download). The rows are written by excelize's stream writer.
func (t *Table) WriteXLSX(w io.Writer) error {
	b, err := t.xlsxBytes()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
