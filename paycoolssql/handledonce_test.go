package paycoolssql_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

// flakyFinish is the SQL store with a Finish that fails, before writing (the database went
// away) or after writing (the commit's answer was lost): while fails > 0, and one time in
// oneIn when oneIn > 0 (then before or after writing at random). With deadRenew its Renew
// fails too, as the renewals of a process that died never arrive.
type flakyFinish struct {
	*paycoolssql.NotificationStore
	fails       atomic.Int32
	afterCommit bool
	oneIn       int
	deadRenew   bool
	failed      atomic.Int64
}

func (s *flakyFinish) Renew(ctx context.Context, appID, key, token string) error {
	if s.deadRenew {
		return errors.New("the process is dead")
	}
	return s.NotificationStore.Renew(ctx, appID, key, token)
}

func (s *flakyFinish) Finish(ctx context.Context, appID, key, token, result string) error {
	afterCommit := s.afterCommit
	switch {
	case s.oneIn > 0 && rand.IntN(s.oneIn) == 0:
		afterCommit = rand.IntN(2) == 0
	case s.fails.Add(-1) < 0:
		return s.NotificationStore.Finish(ctx, appID, key, token, result)
	}
	s.failed.Add(1)
	if afterCommit {
		if err := s.NotificationStore.Finish(ctx, appID, key, token, result); err != nil {
			return err
		}
	}
	return errors.New("FATAL: terminating connection due to administrator command")
}

// post posts body to h and returns the status and the answer.
func post(h http.Handler, body []byte) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/notify", bytes.NewReader(body)))
	return rec.Code, rec.Body.String()
}

// A Finish that fails once after the function succeeded (the database restarted under load):
// the delivery is acknowledged, and a redelivery, even after the claim's lease, does not run
// the function again. A repayment question accepted so gets the same accept when asked again.
func TestFinishFailureHandledOnce(t *testing.T) {
	eachFlavor(t, func(t *testing.T, d testDB) {
		for _, afterCommit := range []bool{false, true} {
			ctx := testCtx(t)
			merchant, platform := testKeys(t)
			clk := newClock()
			sqlStore, err := paycoolssql.NewNotificationStore(ctx, d.db, d.flavor, d.table("f"), paycoolssql.WithClock(clk.Now),
				paycoolssql.WithLease(time.Minute))
			require.NoError(t, err)
			store := &flakyFinish{NotificationStore: sqlStore, afterCommit: afterCommit}
			c, err := paycools.NewClient(testApp, merchant, paycools.WithPlatformPublicKey(&platform.PublicKey),
				paycools.WithNotificationStore(store), paycools.WithClock(clk.Now))
			require.NoError(t, err)

			var runs atomic.Int32
			h := c.NotificationHandler(func(context.Context, *paycools.Notification) error { runs.Add(1); return nil })
			body := callbackBody(t, platform, `{"eventName":"disbursement.success","transactionId":"DF1","transactionStatus":"COMPLETED"}`)
			store.fails.Store(1)
			code, _ := post(h, body)
			assert.Equal(t, 200, code, "after commit %v: the function succeeded, acknowledged", afterCommit)
			clk.Add(2 * time.Minute)
			code, _ = post(h, body)
			assert.Equal(t, 200, code)
			assert.EqualValues(t, 1, runs.Load(), "after commit %v: the function ran once", afterCommit)

			var decisions atomic.Int32
			q := c.RepaymentVerificationHandler(func(context.Context, *paycools.RepaymentVerification) (bool, error) {
				decisions.Add(1)
				return true, nil
			})
			question := callbackBody(t, platform, `{"eventName":"payment.verification","mchOrderId":"VA1","referenceNumber":"PC1","amount":"50010","createTime":"`+
				clk.Now().Format("2006-01-02 15:04:05")+`"}`)
			store.fails.Store(1)
			for i := 0; i < 2; i++ {
				clk.Add(2 * time.Minute)
				code, reply := post(q, question)
				assert.Equal(t, 200, code)
				assert.JSONEq(t, `{"code":2000,"message":"Success","data":{}}`, reply, "ask %d", i+1)
			}
			assert.EqualValues(t, 1, decisions.Load(), "after commit %v: decided once", afterCommit)
		}
	})
}
