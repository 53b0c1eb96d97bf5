package centre

import "io"

// WriteXLSX writes the table as WriteFile lays out an XLSX, to w (a
// browser's download), and returns the number of rows under the header.
// The rows are written by excelize's stream writer and the workbook is
// zipped straight into w; nothing reaches w before every row is in.
func (t *Table) WriteXLSX(w io.Writer) (int, error) {
	return t.writeXLSX(w)
}
