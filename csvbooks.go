package paycools

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
)

// CSVBooks are books read from CSV: a header row, then one order per row with the columns
// mchOrderId,direction,amount,currency,status (direction collection or payout; amount in minor
// units, digits only; currency and status may be empty). A UTF-8 byte order mark before the
// header (Excel's "CSV UTF-8") is skipped. The file is the day's books: Records ignores its day
// argument. Every bad row yields a *CSVRowError naming its line, and reading goes on, so that
// one run reports every bad row (Reconcile then refuses the books with all of them): nothing is
// skipped silently. A wrong header or a file that cannot be read ends the iteration.
type CSVBooks struct {
	// Open returns the CSV text; it is called once per Records.
	Open func() (io.ReadCloser, error)
}

// CSVRowError is a row of CSVBooks that cannot be read: its line in the file (1 is the
// header; a quoted field may span lines, the line is where the problem is) and what is wrong.
type CSVRowError struct {
	// Line is the 1-based line of the file.
	Line int
	// Err says what is wrong with the row.
	Err error
}

// Error says "CSV line N: problem".
func (e *CSVRowError) Error() string { return fmt.Sprintf("CSV line %d: %v", e.Line, e.Err) }

// Unwrap returns the row's problem (e.g. csv.ErrBareQuote, csv.ErrFieldCount).
func (e *CSVRowError) Unwrap() error { return e.Err }

// csvColumns is the header CSVBooks wants.
var csvColumns = []string{"mchOrderId", "direction", "amount", "currency", "status"}

// utf8BOM is the byte order mark Excel writes at the start of a "CSV UTF-8" file.
const utf8BOM = "\ufeff"

// Records iterates over the rows.
func (b CSVBooks) Records(ctx context.Context, _ string) iter.Seq2[BookRecord, error] {
	return func(yield func(BookRecord, error) bool) {
		if b.Open == nil {
			yield(BookRecord{}, errors.New("paycools: CSVBooks: Open is nil"))
			return
		}
		rc, err := b.Open()
		if err != nil {
			yield(BookRecord{}, err)
			return
		}
		defer rc.Close()
		br := bufio.NewReader(rc)
		if head, err := br.Peek(len(utf8BOM)); err == nil && string(head) == utf8BOM {
			_, _ = br.Discard(len(utf8BOM))
		}
		r := csv.NewReader(br)
		r.FieldsPerRecord = len(csvColumns)
		r.TrimLeadingSpace = true
		head, err := r.Read()
		if errors.Is(err, io.EOF) {
			yield(BookRecord{}, &CSVRowError{Line: 1, Err: fmt.Errorf("the file is empty: want the header %s, then one row per order", strings.Join(csvColumns, ","))})
			return
		}
		if err != nil {
			yield(BookRecord{}, csvRowError(1, err))
			return
		}
		for i, want := range csvColumns {
			if !strings.EqualFold(strings.TrimSpace(head[i]), want) {
				yield(BookRecord{}, &CSVRowError{Line: 1, Err: fmt.Errorf("column %d is %q, want the header %s", i+1, head[i], strings.Join(csvColumns, ","))})
				return
			}
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(BookRecord{}, err)
				return
			}
			row, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					yield(BookRecord{}, fmt.Errorf("CSV: %w", err)) // the file itself cannot be read
					return
				}
				if !yield(BookRecord{}, csvRowError(0, err)) {
					return
				}
				continue
			}
			line, _ := r.FieldPos(0)
			rec, err := csvRecord(row)
			if err != nil {
				err = &CSVRowError{Line: line, Err: err}
			}
			if !yield(rec, err) {
				return
			}
		}
	}
}

// csvRowError words an error of csv.Reader as a CSVRowError on the line the parser names
// (line when it names none).
func csvRowError(line int, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &CSVRowError{Line: line, Err: err}
	}
	if pe.Err == csv.ErrFieldCount {
		return &CSVRowError{Line: pe.StartLine, Err: fmt.Errorf("%w: want %d (%s)", pe.Err, len(csvColumns), strings.Join(csvColumns, ","))}
	}
	return &CSVRowError{Line: pe.Line, Err: fmt.Errorf("%w (column %d)", pe.Err, pe.Column)}
}

func csvRecord(row []string) (BookRecord, error) {
	rec := BookRecord{MchOrderID: strings.TrimSpace(row[0]), Direction: Direction(strings.ToLower(strings.TrimSpace(row[1]))),
		Currency: Currency(strings.ToUpper(strings.TrimSpace(row[3])))}
	if rec.MchOrderID == "" {
		return rec, errors.New("mchOrderId is empty")
	}
	if rec.Direction != DirectionCollection && rec.Direction != DirectionPayout {
		return rec, fmt.Errorf("direction %q: want collection or payout", row[1])
	}
	amt := strings.TrimSpace(row[2])
	n, err := strconv.ParseInt(amt, 10, 64)
	if err != nil || n < 0 || strings.HasPrefix(amt, "+") {
		return rec, fmt.Errorf("amount %q: want minor units as digits (PHP 500.10 is 50010)", row[2])
	}
	rec.Amount = Amount(n)
	if st := strings.TrimSpace(row[4]); st != "" {
		norm := normalStatus(TransactionStatus(st))
		if norm != TransactionStatusPending && norm != TransactionStatusCompleted && norm != TransactionStatusFailed {
			return rec, fmt.Errorf("status %q: want PENDING, COMPLETED or FAILED", st)
		}
		rec.Status = norm
	}
	return rec, nil
}
