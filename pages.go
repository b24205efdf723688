package paycools

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// ErrPageRepeated is yielded (wrapped) when PayCools answers a page with exactly the records
// of the page before it: a host that ignores the page number would otherwise be read forever.
var ErrPageRepeated = errors.New("paycools: a statement page repeated the page before it (the page number is ignored?)")

// pageKey identifies a page by its first and last records, to notice a repeated page.
type pageKey struct {
	n           int
	first, last string
}

// pages walks a paged list from page start (1 when start < 1): it fetches the next page only
// when the loop asks for more records, stops at the first empty page, stops when the loop
// breaks, and yields an error once (then stops): a failed fetch (after the client's own
// retries), a done ctx, or a page that repeats the one before. PayCools does not document its
// page size, so only an empty page ends the walk. id names a record, for the repeat check.
func pages[T any](ctx context.Context, start int, fetch func(ctx context.Context, page int) ([]T, error), id func(*T) string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if ctx == nil {
			yield(zero, &ValidationError{Fields: []FieldError{{Field: "ctx", Problem: "nil context"}}})
			return
		}
		if start < 1 {
			start = 1
		}
		var prev pageKey
		for page := start; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			recs, err := fetch(ctx, page)
			if err != nil {
				yield(zero, fmt.Errorf("page %d: %w", page, err))
				return
			}
			if len(recs) == 0 {
				return
			}
			key := pageKey{len(recs), id(&recs[0]), id(&recs[len(recs)-1])}
			if page > start && key == prev {
				yield(zero, fmt.Errorf("page %d: %w", page, ErrPageRepeated))
				return
			}
			prev = key
			for i := range recs {
				if !yield(recs[i], nil) {
					return
				}
			}
		}
	}
}

// PaymentStatementRecords iterates over every record of the collections statement (doc 2.2)
// for p's day and filters, page after page from p.Page (1 when 0), fetching a page only when
// the loop needs it:
//
//	for rec, err := range c.Account.PaymentStatementRecords(ctx, &paycools.AccountPaymentStatementParams{CreateDate: "2026-12-01"}) {
//		if err != nil {
//			return err // yielded once; the loop then ends
//		}
//		books.Match(rec.MerchantOrderID, rec.Amount, rec.Status)
//	}
//
// PayCools does not document its page size: the walk ends at the first page without
// records. A page that fails is retried by the client's rules (WithRetries); if it still fails
// the error is yielded and the walk stops, so no record is skipped silently. p is not modified.
func (s *AccountService) PaymentStatementRecords(ctx context.Context, p *AccountPaymentStatementParams) iter.Seq2[PaymentRecord, error] {
	var q AccountPaymentStatementParams
	if p != nil {
		q = *p
	}
	return pages(ctx, q.Page, func(ctx context.Context, page int) ([]PaymentRecord, error) {
		pq := q
		pq.Page = page
		st, err := s.PaymentStatement(ctx, &pq)
		if err != nil {
			return nil, err
		}
		return st.Records, nil
	}, func(r *PaymentRecord) string { return r.TransactionID + "/" + r.MerchantOrderID })
}

// PayoutStatementRecords iterates over every record of the payout statement (doc 2.3) for p's
// day and filters, as PaymentStatementRecords does for collections.
func (s *AccountService) PayoutStatementRecords(ctx context.Context, p *AccountPayoutStatementParams) iter.Seq2[PayoutRecord, error] {
	var q AccountPayoutStatementParams
	if p != nil {
		q = *p
	}
	return pages(ctx, q.Page, func(ctx context.Context, page int) ([]PayoutRecord, error) {
		pq := q
		pq.Page = page
		st, err := s.PayoutStatement(ctx, &pq)
		if err != nil {
			return nil, err
		}
		return st.Records, nil
	}, func(r *PayoutRecord) string { return r.TransactionID + "/" + r.MerchantOrderID })
}
