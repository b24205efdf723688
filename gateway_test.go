package paycools_test

// Tests through the fake gateway (paycoolstest): the outcome resolution of money-moving creates
// under dropped connections, and one client shared by 100 goroutines while the gateway injects
// faults.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func payoutParams(id string) *paycools.PayoutCreateParams {
	return &paycools.PayoutCreateParams{
		MchOrderID: id, Amount: 50010, AccountNo: "09171234567", AccountName: "Juan Dela Cruz",
		PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH",
	}
}

func webPaymentParams(id string) *paycools.WebPaymentCreateParams {
	return &paycools.WebPaymentCreateParams{
		MchOrderID: id, Amount: 50000, CountryCode: paycools.CountryPH, Currency: paycools.CurrencyPHP,
		ChannelType: paycools.WebPaymentChannelTypeEWallet, ChannelCode: paycools.WebPaymentChannelCodeGCashURL,
		CustomerName: "Juan Dela Cruz", Email: "juan@example.com", Mobile: "09171234567",
		TerminalType: paycools.TerminalTypeWeb, NotifyURL: "https://merchant.example/notify",
		RedirectURL: "https://merchant.example/back",
	}
}

func countRequests(s *paycoolstest.Server, op paycools.Operation) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

// TestResolveThroughTheGateway: a create whose connection drops after the gateway acted is
// found by the lookup (no second create); one that drops before is sent once more; when the
// lookup itself fails the outcome stays unknown. Never a double payout.
func TestResolveThroughTheGateway(t *testing.T) {
	ctx := context.Background()
	t.Run("payout dropped after action: found, not sent twice", func(t *testing.T) {
		s := paycoolstest.NewServer()
		defer s.Close()
		c := s.Client(paycools.WithRetries(0))
		before := s.Balance()
		s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
		p, err := c.Payouts.Create(ctx, payoutParams("RECON0000001"))
		require.NoError(t, err)
		assert.Equal(t, "RECON0000001", p.MchOrderID)
		assert.NotEmpty(t, p.TransactionID)
		assert.Equal(t, 1, countRequests(s, paycools.OpPayoutCreate))
		assert.Equal(t, 1, countRequests(s, paycools.OpPayoutGet))
		assert.Equal(t, before-50010, s.Balance(), "exactly one payout was made")
	})
	t.Run("payout dropped before action: not found, sent once more", func(t *testing.T) {
		s := paycoolstest.NewServer()
		defer s.Close()
		c := s.Client(paycools.WithRetries(0))
		before := s.Balance()
		s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropBeforeAction: true})
		p, err := c.Payouts.Create(ctx, payoutParams("RECON0000002"))
		require.NoError(t, err)
		assert.Equal(t, paycools.TransactionStatusPending, p.TransactionStatus)
		assert.Equal(t, 2, countRequests(s, paycools.OpPayoutCreate))
		assert.Equal(t, before-50010, s.Balance())
	})
	t.Run("payout lookup fails: still unknown, not resent", func(t *testing.T) {
		s := paycoolstest.NewServer()
		defer s.Close()
		c := s.Client(paycools.WithRetries(0))
		s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
		s.InjectFault(paycools.OpPayoutGet, paycoolstest.Fault{HTTPStatus: 503})
		_, err := c.Payouts.Create(ctx, payoutParams("RECON0000003"))
		require.Error(t, err)
		assert.True(t, paycools.IsOutcomeUnknown(err), "%v", err)
		assert.Equal(t, 1, countRequests(s, paycools.OpPayoutCreate))
	})
	t.Run("outcome resolution off: the unknown outcome is returned as is", func(t *testing.T) {
		s := paycoolstest.NewServer()
		defer s.Close()
		c := s.Client(paycools.WithRetries(0), paycools.WithResolveOutcome(false))
		s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
		_, err := c.Payouts.Create(ctx, payoutParams("RECON0000004"))
		assert.True(t, paycools.IsOutcomeUnknown(err))
		assert.Zero(t, countRequests(s, paycools.OpPayoutGet))
	})
	t.Run("web payment dropped after action: found", func(t *testing.T) {
		s := paycoolstest.NewServer()
		defer s.Close()
		c := s.Client(paycools.WithRetries(0))
		s.InjectFault(paycools.OpWebPaymentCreate, paycoolstest.Fault{DropAfterAction: true})
		w, err := c.WebPayments.Create(ctx, webPaymentParams("RECON0000005"))
		require.NoError(t, err)
		assert.Equal(t, "RECON0000005", w.MchOrderID)
		assert.Equal(t, 1, countRequests(s, paycools.OpWebPaymentCreate))
	})
}

// TestOneClientUnderFaults: 100 goroutines share one client and mix operations while the
// gateway answers some calls with faults (server error, rate limit, 503, dropped connections
// before and after acting, delays). Every call returns, every error is typed, and no payout is
// made twice. Run under -race.
func TestOneClientUnderFaults(t *testing.T) {
	s := paycoolstest.NewServer(paycoolstest.WithBalance(1 << 40))
	defer s.Close()
	c := s.Client(paycools.WithBackoff(time.Millisecond, 5*time.Millisecond),
		paycools.WithPollInterval(time.Millisecond, 5*time.Millisecond))
	faults := []paycoolstest.Fault{
		{Code: 21000}, {Code: 21020}, {HTTPStatus: 503}, {DropBeforeAction: true},
		{DropAfterAction: true}, {Delay: 20 * time.Millisecond}, {Body: "<html>proxy</html>", HTTPStatus: 502},
	}
	ops := []paycools.Operation{paycools.OpPayoutCreate, paycools.OpPayoutGet, paycools.OpAccountBalance, paycools.OpWebPaymentCreate}
	var inject sync.Mutex
	var done, failed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 100; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if g%3 == 0 {
				inject.Lock()
				s.InjectFault(ops[g%len(ops)], faults[rand.IntN(len(faults))])
				inject.Unlock()
			}
			id := fmt.Sprintf("CONC%08d", g)
			var err error
			switch g % 4 {
			case 0:
				_, err = c.Payouts.Create(ctx, payoutParams(id))
				if err == nil {
					_, err = c.Payouts.Get(ctx, &paycools.PayoutGetParams{MchOrderID: id})
				}
			case 1:
				_, err = c.Account.Balance(ctx, nil)
			case 2:
				_, err = c.WebPayments.Create(ctx, webPaymentParams(id))
			case 3:
				_, err = c.Payouts.Get(ctx, &paycools.PayoutGetParams{MchOrderID: "CONC00000000"})
			}
			require.NoError(t, ctx.Err(), "call %d did not return in time", g)
			if err != nil {
				failed.Add(1)
				var ae *paycools.APIError
				var he *paycools.HTTPError
				var te *paycools.TransportError
				assert.True(t, errors.As(err, &ae) || errors.As(err, &he) || errors.As(err, &te), "untyped error %T: %v", err, err)
			}
			done.Add(1)
		}(g)
	}
	wg.Wait()
	assert.EqualValues(t, 100, done.Load())
	t.Logf("%d of 100 calls ended with an error under injected faults", failed.Load())
}
