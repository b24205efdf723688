package paycools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statementPage is a 2.2 answer with records n0..n0+k-1.
func statementPage(n0, k int) answer {
	recs := make([]string, k)
	for i := range recs {
		recs[i] = fmt.Sprintf(`{"merchantOrderId":"M%d","transactionId":"T%d","amount":"%d.00","status":"COMPLETE"}`, n0+i, n0+i, 100+n0+i)
	}
	return okData(`{"records":[` + strings.Join(recs, ",") + `]}`)
}

func pageOf(t *testing.T, r recorded) int {
	var p struct {
		Page int `json:"page"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Env.Param), &p))
	return p.Page
}

func TestStatementRecordsWalkEveryPage(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", pathPaymentStatement, statementPage(0, 3), statementPage(3, 3), statementPage(6, 1), okData(`{"records":[]}`))
	var ids []string
	var total Amount
	for rec, err := range f.Client.Account.PaymentStatementRecords(context.Background(), &AccountPaymentStatementParams{CreateDate: "2026-12-01"}) {
		require.NoError(t, err)
		ids = append(ids, rec.MerchantOrderID)
		total += rec.Amount
	}
	assert.Equal(t, []string{"M0", "M1", "M2", "M3", "M4", "M5", "M6"}, ids)
	assert.EqualValues(t, 4, calls.Load(), "three pages and the empty one that ends the walk")
	assert.Equal(t, Amount(100+101+102+103+104+105+106)*100, total, "major-unit statement amounts in minor units")
	var pagesAsked []int
	for _, r := range f.requestsTo(pathPaymentStatement) {
		pagesAsked = append(pagesAsked, pageOf(t, r))
	}
	assert.Equal(t, []int{1, 2, 3, 4}, pagesAsked)
}

func TestStatementRecordsFetchOnlyWhatTheLoopNeeds(t *testing.T) {
	f := newFakeAPI(t)
	calls := f.script("POST", pathPayoutStatement, statementPage(0, 2), statementPage(2, 2))
	n := 0
	for _, err := range f.Client.Account.PayoutStatementRecords(context.Background(), &AccountPayoutStatementParams{CreateDate: "2026-12-01", Page: 2}) {
		require.NoError(t, err)
		if n++; n == 2 {
			break
		}
	}
	assert.EqualValues(t, 1, calls.Load(), "break after the first page: the second is never fetched")
	assert.Equal(t, 2, pageOf(t, f.last()), "the walk starts at p.Page")
}

func TestStatementRecordsYieldAnErrorOnce(t *testing.T) {
	f := newFakeAPI(t, WithRetries(1))
	// Page 2 fails once (retried by the client), then for good: the error ends the walk.
	f.script("POST", pathPaymentStatement, statementPage(0, 2), badGateway, statementPage(2, 2), codeAnswer(21002, "Request param error"))
	var ids []string
	var errs []error
	for rec, err := range f.Client.Account.PaymentStatementRecords(context.Background(), &AccountPaymentStatementParams{CreateDate: "2026-12-01"}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, rec.MerchantOrderID)
	}
	assert.Equal(t, []string{"M0", "M1", "M2", "M3"}, ids, "the retried page is counted once")
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrParam)
	assert.Contains(t, errs[0].Error(), "page 3")

	// A host that ignores the page number would repeat page 1 forever.
	f = newFakeAPI(t)
	f.script("POST", pathPaymentStatement, statementPage(0, 2), statementPage(0, 2))
	errs = nil
	for _, err := range f.Client.Account.PaymentStatementRecords(context.Background(), &AccountPaymentStatementParams{CreateDate: "2026-12-01"}) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrPageRepeated)

	// A done ctx ends it too, with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range newFakeAPI(t).Client.Account.PaymentStatementRecords(ctx, &AccountPaymentStatementParams{CreateDate: "2026-12-01"}) {
		assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	}
}
