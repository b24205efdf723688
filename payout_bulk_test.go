package paycools_test

// Tests of Payouts.CreateMany against the fake gateway: validate everything first, exactly
// once across runs, unknown outcomes reported and never resent blindly, rows held by another
// call (a dead run, a racing replica), rate-limit answers, a stop in the middle, and a ledger
// that fails after the payout was made.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bulkRows are n valid payout rows, order ids prefixROW00000..., amounts 100+i centavos.
func bulkRows(prefix string, n int) []*paycools.PayoutCreateParams {
	rows := make([]*paycools.PayoutCreateParams, n)
	for i := range rows {
		rows[i] = &paycools.PayoutCreateParams{MchOrderID: fmt.Sprintf("%sROW%05d", prefix, i), Amount: paycools.Amount(100 + i),
			AccountNo: "09171234567", AccountName: "Juan Dela Cruz", PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH"}
	}
	return rows
}

func bulkSum(rows []*paycools.PayoutCreateParams) paycools.Amount {
	var sum paycools.Amount
	for _, p := range rows {
		sum += p.Amount
	}
	return sum
}

// runBulk runs CreateMany to its end and returns the outcomes by row index, and the error that
// ended the run. Every row is reported at most once.
func runBulk(t *testing.T, ctx context.Context, c *paycools.Client, rows []*paycools.PayoutCreateParams, opts paycools.CreateManyOptions) (map[int]paycools.PayoutRowOutcome, error) {
	t.Helper()
	out := map[int]paycools.PayoutRowOutcome{}
	for o, err := range c.Payouts.CreateMany(ctx, slices.Values(rows), opts) {
		if err != nil {
			return out, err
		}
		_, twice := out[o.Index]
		require.False(t, twice, "row %d reported twice", o.Index)
		out[o.Index] = o
	}
	return out, nil
}

func statesOf(out map[int]paycools.PayoutRowOutcome) map[paycools.PayoutRowState]int {
	n := map[paycools.PayoutRowState]int{}
	for _, o := range out {
		n[o.State]++
	}
	return n
}

// TestCreateManyInvalidRowsSendNothing: one bad row among good ones, and nothing is sent; every
// bad row is named with its field.
func TestCreateManyInvalidRowsSendNothing(t *testing.T) {
	s := paycoolstest.New(t)
	l := paycools.NewMemoryLedger()
	c := s.Client(paycools.WithLedger(l))
	rows := bulkRows("INV", 10)
	rows[2].Amount = 5                      // below the 100 minimum
	rows[4].AccountNo = "12345"             // not a wallet mobile number
	rows[5].AccountName = ""                // required
	rows[7].MchOrderID = rows[1].MchOrderID // a repeated order id
	rows[8] = nil
	before := s.Balance()

	out, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{})
	var bie *paycools.BulkInvalidError
	require.ErrorAs(t, err, &bie)
	assert.Equal(t, 6, bie.Invalid)
	assert.Equal(t, 10, bie.Rows)
	fieldOf := func(i int) []string {
		o, ok := out[i]
		require.True(t, ok, "row %d is reported", i)
		assert.Equal(t, paycools.PayoutRowStateInvalid, o.State, "row %d", i)
		var ve *paycools.ValidationError
		require.ErrorAs(t, o.Err, &ve, "row %d", i)
		var names []string
		for _, f := range ve.Fields {
			names = append(names, f.Field)
		}
		return names
	}
	assert.Contains(t, fieldOf(2), "amount")
	assert.Contains(t, fieldOf(4), "accountNo")
	assert.Contains(t, fieldOf(5), "accountName")
	assert.Contains(t, fieldOf(7), "mchOrderId")
	assert.Equal(t, 1, out[7].DuplicateOf)
	assert.Contains(t, fieldOf(1), "mchOrderId", "both rows of a repeated order id are bad")
	assert.Equal(t, 7, out[1].DuplicateOf)
	assert.Contains(t, fieldOf(8), "params")
	assert.Len(t, out, 6, "only the bad rows are reported")

	assert.Empty(t, s.Requests(), "nothing was sent")
	assert.Equal(t, before, s.Balance())
	for _, p := range rows {
		if p != nil {
			ins, err := l.Intents(context.Background(), c.AppID(), paycools.OpPayoutCreate, p.MchOrderID)
			require.NoError(t, err)
			assert.Empty(t, ins, "no intent for %s", p.MchOrderID)
		}
	}

	// -skip-invalid: the good rows are paid, once; the two rows sharing an order id are not.
	out, err = runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{SkipInvalid: true})
	require.NoError(t, err)
	assert.Equal(t, map[paycools.PayoutRowState]int{paycools.PayoutRowStateInvalid: 6, paycools.PayoutRowStateCreated: 4}, statesOf(out))
	assert.Equal(t, before-rows[0].Amount-rows[3].Amount-rows[6].Amount-rows[9].Amount, s.Balance())
}

// TestCreateManyDryRun validates and totals without sending or touching the ledger.
func TestCreateManyDryRun(t *testing.T) {
	s := paycoolstest.New(t)
	c := s.Client() // no ledger needed to look
	rows := bulkRows("DRY", 5)
	out, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, map[paycools.PayoutRowState]int{paycools.PayoutRowStateValid: 5}, statesOf(out))
	assert.Empty(t, s.Requests())
}

// TestCreateManyNeedsALedger: without a ledger a re-run could pay twice, so nothing runs.
func TestCreateManyNeedsALedger(t *testing.T) {
	s := paycoolstest.New(t)
	_, err := runBulk(t, context.Background(), s.Client(), bulkRows("NOL", 3), paycools.CreateManyOptions{})
	require.ErrorIs(t, err, paycools.ErrNoLedger)
	assert.Empty(t, s.Requests())
}

// TestCreateManyExactlyOnce: a clean run pays every row once (the balance proves it); a second
// run of the same rows sends nothing and reports every row created, with the same ids.
func TestCreateManyExactlyOnce(t *testing.T) {
	for _, d := range []paycoolstest.Option{paycoolstest.WithDialect(paycools.DialectOpenAPI), paycoolstest.WithDialect(paycools.DialectPH)} {
		s := paycoolstest.New(t, d)
		c := s.Client(paycools.WithLedger(paycools.NewMemoryLedger()))
		rows := bulkRows("ONCE", 60)
		before := s.Balance()
		first, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{Concurrency: 8})
		require.NoError(t, err)
		require.Len(t, first, 60, "every row is reported")
		for i, o := range first {
			require.Equal(t, paycools.PayoutRowStateCreated, o.State, "row %d: %v", i, o.Err)
			assert.False(t, o.Earlier)
			assert.Equal(t, rows[i].MchOrderID, o.MchOrderID)
			assert.NotEmpty(t, o.TransactionID)
		}
		assert.Equal(t, before-bulkSum(rows), s.Balance(), "exactly one payout per row")

		s.ClearRequests()
		second, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{Concurrency: 8})
		require.NoError(t, err)
		require.Len(t, second, 60)
		for i, o := range second {
			require.Equal(t, paycools.PayoutRowStateCreated, o.State, "row %d: %v", i, o.Err)
			assert.True(t, o.Earlier, "row %d was paid by the first run", i)
			assert.Equal(t, first[i].TransactionID, o.TransactionID)
		}
		assert.Zero(t, countRequests(s, paycools.OpPayoutCreate), "the second run sends no payout")
		assert.Equal(t, before-bulkSum(rows), s.Balance())
	}
}

// TestCreateManyEditedFileIsFlagged: a row paid by an earlier run whose amount was changed in
// the file since is not paid again, and the difference is reported.
func TestCreateManyEditedFileIsFlagged(t *testing.T) {
	s := paycoolstest.New(t)
	c := s.Client(paycools.WithLedger(paycools.NewMemoryLedger()))
	rows := bulkRows("EDIT", 3)
	_, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{})
	require.NoError(t, err)
	before := s.Balance()
	rows[1].Amount = 99999
	out, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{})
	require.NoError(t, err)
	assert.Equal(t, paycools.PayoutRowStateCreated, out[1].State)
	var me *paycools.OrderMismatchError
	require.ErrorAs(t, out[1].Err, &me)
	assert.Equal(t, []string{"amount"}, me.Fields)
	assert.Equal(t, before, s.Balance(), "nothing paid again")
}

// TestCreateManyUnknownIsReportedNotResent: the connection drops after the gateway made the
// payout and the in-call lookup fails too: the row is reported unknown (not failed), and the
// next run settles it through Recover instead of paying it again.
func TestCreateManyUnknownIsReportedNotResent(t *testing.T) {
	s := paycoolstest.New(t)
	c := s.Client(paycools.WithLedger(paycools.NewMemoryLedger()), paycools.WithRetries(0))
	rows := bulkRows("UNK", 1)
	before := s.Balance()
	s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{DropAfterAction: true})
	s.InjectFault(paycools.OpPayoutGet, paycoolstest.Fault{HTTPStatus: 503})
	out, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{})
	require.NoError(t, err)
	require.Equal(t, paycools.PayoutRowStateUnknown, out[0].State, "%v", out[0].Err)
	assert.True(t, paycools.IsOutcomeUnknown(out[0].Err))
	assert.Equal(t, before-rows[0].Amount, s.Balance(), "the gateway made it")

	s.ClearRequests()
	out, err = runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{})
	require.NoError(t, err)
	require.Equal(t, paycools.PayoutRowStateCreated, out[0].State, "%v", out[0].Err)
	assert.True(t, out[0].Earlier)
	assert.Zero(t, countRequests(s, paycools.OpPayoutCreate), "not sent again")
	assert.Equal(t, before-rows[0].Amount, s.Balance(), "exactly one payout")
}

// crashedCall writes the intent a run that died mid-call leaves behind: pending, claimed until
// until. made says whether the dead run's request reached the gateway.
func crashedCall(t *testing.T, s *paycoolstest.Server, l paycools.Ledger, p *paycools.PayoutCreateParams, until time.Time, made bool) {
	t.Helper()
	if made {
		_, err := s.Client().Payouts.Create(context.Background(), p)
		require.NoError(t, err)
	}
	now := time.Now()
	require.NoError(t, l.Record(context.Background(), &paycools.Intent{ID: "dead" + p.MchOrderID, AppID: s.Client().AppID(), Operation: paycools.OpPayoutCreate,
		MchOrderID: p.MchOrderID, IdempotencyID: p.MchOrderID, Amount: p.Amount, Param: []byte("{}"), State: paycools.IntentPending,
		ClaimToken: "dead", ClaimUntil: until, SentBy: until, CreatedAt: now, UpdatedAt: now})) // SentBy: a live call's claim end
}

// TestCreateManySettlesWhatADeadRunLeft: an earlier run died after writing two intents; one of
// its payouts reached the gateway. Their claims run past the start of this run: CreateMany
// waits for them to end, lets Recover settle them, reports the made one created and pays the
// other, once each. Past SettleWait the row is reported unknown and nothing is sent for it.
func TestCreateManySettlesWhatADeadRunLeft(t *testing.T) {
	s := paycoolstest.New(t)
	l := paycools.NewMemoryLedger()
	// The fake acts on a request as it arrives: a second is ample settle time after the dead
	// run's claims end.
	c := s.Client(paycools.WithLedger(l), paycools.WithSettleTime(time.Second))
	rows := bulkRows("DEAD", 6)
	before := s.Balance()
	crashedCall(t, s, l, rows[1], time.Now().Add(300*time.Millisecond), true)
	crashedCall(t, s, l, rows[4], time.Now().Add(300*time.Millisecond), false)
	out, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{SettleWait: 10 * time.Second})
	require.NoError(t, err)
	for i, o := range out {
		require.Equal(t, paycools.PayoutRowStateCreated, o.State, "row %d: %v", i, o.Err)
	}
	assert.True(t, out[1].Earlier, "the dead run's payout is found, not made again")
	assert.False(t, out[4].Earlier, "the dead run's request never arrived: paid now")
	assert.Equal(t, before-bulkSum(rows), s.Balance(), "exactly one payout per row")

	// A claim that outlasts SettleWait: reported unknown, not sent.
	more := bulkRows("HELD", 2)
	crashedCall(t, s, l, more[0], time.Now().Add(time.Hour), false)
	before = s.Balance()
	out, err = runBulk(t, context.Background(), c, more, paycools.CreateManyOptions{SettleWait: 200 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, paycools.PayoutRowStateUnknown, out[0].State)
	assert.ErrorIs(t, out[0].Err, paycools.ErrIntentOpen)
	assert.Equal(t, paycools.PayoutRowStateCreated, out[1].State)
	assert.Equal(t, before-more[1].Amount, s.Balance())
}

// TestCreateManyRacingReplicas: two replicas run the same rows at once on one ledger; each row
// is paid once and both report every row created.
func TestCreateManyRacingReplicas(t *testing.T) {
	s := paycoolstest.New(t)
	l := paycools.NewMemoryLedger()
	rows := bulkRows("RACE", 80)
	before := s.Balance()
	var wg sync.WaitGroup
	outs := make([]map[int]paycools.PayoutRowOutcome, 2)
	errs := make([]error, 2)
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.Client(paycools.WithLedger(l))
			out := map[int]paycools.PayoutRowOutcome{}
			for o, err := range c.Payouts.CreateMany(context.Background(), slices.Values(rows), paycools.CreateManyOptions{Concurrency: 4}) {
				if err != nil {
					errs[r] = err
					return
				}
				out[o.Index] = o
			}
			outs[r] = out
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	for r, out := range outs {
		require.Len(t, out, 80, "replica %d reports every row", r)
		for i, o := range out {
			require.Equal(t, paycools.PayoutRowStateCreated, o.State, "replica %d row %d: %v", r, i, o.Err)
			assert.Equal(t, outs[0][i].TransactionID, o.TransactionID, "row %d: the same payout", i)
		}
	}
	assert.Equal(t, before-bulkSum(rows), s.Balance(), "exactly one payout per row")
}

// TestCreateManyBacksOffOnRateLimit: the gateway answers "too many requests" (21020) more often
// than the client retries; the rows are sent again after a backoff and paid once each.
func TestCreateManyBacksOffOnRateLimit(t *testing.T) {
	s := paycoolstest.New(t)
	c := s.Client(paycools.WithLedger(paycools.NewMemoryLedger()), paycools.WithRetries(0),
		paycools.WithBackoff(time.Millisecond, 10*time.Millisecond))
	for range 6 {
		s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{Code: 21020})
	}
	rows := bulkRows("RATE", 5)
	before := s.Balance()
	out, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{Concurrency: 2})
	require.NoError(t, err)
	for i, o := range out {
		require.Equal(t, paycools.PayoutRowStateCreated, o.State, "row %d: %v", i, o.Err)
	}
	assert.Equal(t, 5+6, countRequests(s, paycools.OpPayoutCreate))
	assert.Equal(t, before-bulkSum(rows), s.Balance())

	// With retries off, a rate-limited row is refused with its code (nothing was created).
	s.InjectFault(paycools.OpPayoutCreate, paycoolstest.Fault{Code: 21020})
	more := bulkRows("RATE2", 1)
	out, err = runBulk(t, context.Background(), c, more, paycools.CreateManyOptions{RateLimitRetries: -1})
	require.NoError(t, err)
	assert.Equal(t, paycools.PayoutRowStateRefused, out[0].State)
	assert.ErrorIs(t, out[0].Err, paycools.ErrRateLimited)
}

// TestCreateManyRate: with Rate, the starts are spaced: 12 rows at 40/s with 2 workers take
// at least (12-2)/40 s.
func TestCreateManyRate(t *testing.T) {
	s := paycoolstest.New(t)
	c := s.Client(paycools.WithLedger(paycools.NewMemoryLedger()))
	start := time.Now()
	out, err := runBulk(t, context.Background(), c, bulkRows("PACE", 12), paycools.CreateManyOptions{Concurrency: 2, Rate: 40})
	require.NoError(t, err)
	assert.Equal(t, map[paycools.PayoutRowState]int{paycools.PayoutRowStateCreated: 12}, statesOf(out))
	assert.GreaterOrEqual(t, time.Since(start), 10*time.Second/40)
}

// TestCreateManyStopsCleanly: ctx is cancelled mid-run. The calls in flight finish (no intent
// is left open), the rows not started are reported not sent and have no intent, every row is
// reported once, and the next run pays exactly the rest.
func TestCreateManyStopsCleanly(t *testing.T) {
	s := paycoolstest.New(t)
	l := paycools.NewMemoryLedger()
	c := s.Client(paycools.WithLedger(l))
	rows := bulkRows("STOP", 40)
	before := s.Balance()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := map[int]paycools.PayoutRowOutcome{}
	for o, err := range c.Payouts.CreateMany(ctx, slices.Values(rows), paycools.CreateManyOptions{Concurrency: 3}) {
		require.NoError(t, err)
		out[o.Index] = o
		if len(out) == 5 {
			cancel()
		}
	}
	require.Len(t, out, 40, "every row is reported")
	n := statesOf(out)
	assert.Equal(t, 40, n[paycools.PayoutRowStateCreated]+n[paycools.PayoutRowStateNotSent], "%v", n)
	assert.Positive(t, n[paycools.PayoutRowStateNotSent])
	var paid paycools.Amount
	for i, o := range out {
		ins, err := l.Intents(context.Background(), c.AppID(), paycools.OpPayoutCreate, rows[i].MchOrderID)
		require.NoError(t, err)
		if o.State == paycools.PayoutRowStateCreated {
			paid += rows[i].Amount
			require.Len(t, ins, 1)
			assert.Equal(t, paycools.IntentCreated, ins[0].State, "row %d: the call in flight finished", i)
		} else {
			assert.Empty(t, ins, "row %d: nothing recorded, nothing sent", i)
			assert.ErrorIs(t, o.Err, context.Canceled)
		}
	}
	assert.Equal(t, before-paid, s.Balance())

	out, err := runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[paycools.PayoutRowState]int{paycools.PayoutRowStateCreated: 40}, statesOf(out))
	assert.Equal(t, before-bulkSum(rows), s.Balance(), "the rest, once")
}

// failingResolve is a ledger whose outcome writes fail: the database went away after the
// payouts were made.
type failingResolve struct{ *paycools.MemoryLedger }

func (failingResolve) Resolve(context.Context, string, paycools.IntentResolution) error {
	return errors.New("connection reset")
}

// TestCreateManyLedgerFailsAfterThePayout: the outcome write fails after each payout was made,
// so every intent stays pending. The next run does not pay again: it waits for the claims,
// Recover finds the payouts, and they are reported created.
func TestCreateManyLedgerFailsAfterThePayout(t *testing.T) {
	s := paycoolstest.New(t)
	l := paycools.NewMemoryLedger()
	rows := bulkRows("LOST", 4)
	before := s.Balance()
	broken := s.Client(paycools.WithLedger(failingResolve{l}))
	out, err := runBulk(t, context.Background(), broken, rows, paycools.CreateManyOptions{CallTimeout: 500 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, map[paycools.PayoutRowState]int{paycools.PayoutRowStateCreated: 4}, statesOf(out))

	c := s.Client(paycools.WithLedger(l))
	s.ClearRequests()
	out, err = runBulk(t, context.Background(), c, rows, paycools.CreateManyOptions{CallTimeout: 500 * time.Millisecond})
	require.NoError(t, err)
	for i, o := range out {
		require.Equal(t, paycools.PayoutRowStateCreated, o.State, "row %d: %v", i, o.Err)
		assert.True(t, o.Earlier)
	}
	assert.Zero(t, countRequests(s, paycools.OpPayoutCreate))
	assert.Equal(t, before-bulkSum(rows), s.Balance(), "exactly one payout per row")
}

// TestCreateManyRowsThatChange: rows that yield something else the second time are not sent.
func TestCreateManyRowsThatChange(t *testing.T) {
	s := paycoolstest.New(t)
	c := s.Client(paycools.WithLedger(paycools.NewMemoryLedger()))
	passes := 0
	var rows iter.Seq[*paycools.PayoutCreateParams] = func(yield func(*paycools.PayoutCreateParams) bool) {
		passes++
		for _, p := range bulkRows(fmt.Sprintf("CHG%d", passes), 2) {
			if !yield(p) {
				return
			}
		}
	}
	out := map[int]paycools.PayoutRowOutcome{}
	for o, err := range c.Payouts.CreateMany(context.Background(), rows, paycools.CreateManyOptions{}) {
		require.NoError(t, err)
		out[o.Index] = o
	}
	assert.Equal(t, map[paycools.PayoutRowState]int{paycools.PayoutRowStateInvalid: 2}, statesOf(out))
	assert.Zero(t, countRequests(s, paycools.OpPayoutCreate))
}
