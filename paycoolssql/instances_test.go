package paycoolssql_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolssql"
)

var keyOnce struct {
	sync.Once
	merchant, platform *rsa.PrivateKey
}

// testKeys are two keys made once per run.
func testKeys(t testing.TB) (merchant, platform *rsa.PrivateKey) {
	keyOnce.Do(func() {
		m, err := paycools.GenerateKeyPair(2048)
		if err != nil {
			panic(err)
		}
		p, err := paycools.GenerateKeyPair(2048)
		if err != nil {
			panic(err)
		}
		keyOnce.merchant, keyOnce.platform = m.PrivateKey, p.PrivateKey
	})
	return keyOnce.merchant, keyOnce.platform
}

// callbackBody is a signed envelope callback with param.
func callbackBody(t testing.TB, platform *rsa.PrivateKey, param string) []byte {
	sign, err := paycools.SignParam(platform, []byte(param))
	require.NoError(t, err)
	b, err := json.Marshal(map[string]string{"param": param, "sign": sign})
	require.NoError(t, err)
	return b
}

// TestSeveralInstances: three NotificationHandlers (separate clients, HTTP servers and
// connection pools) share one PostgreSQL store. 500 events are each delivered three times at
// once, one to each instance; the merchant function fails now and then, and one instance
// "dies" in the middle of the function for some events (its claim is left behind), and the
// database fails one Finish in ten (before or after committing it). PayCools redelivers what
// was not acknowledged. The function must succeed exactly once per event, and the events of
// the dead instance are taken over once the lease ends.
func TestSeveralInstances(t *testing.T) {
	d := openPostgres(t)
	runSeveralInstances(t, d)
}

// TestSeveralInstancesSQLite is the same on one SQLite file shared by three pools.
func TestSeveralInstancesSQLite(t *testing.T) {
	runSeveralInstances(t, openSQLite(t))
}

func runSeveralInstances(t *testing.T, d testDB) {
	const events, instances, lease = 500, 3, time.Minute
	ctx := testCtx(t)
	merchant, platform := testKeys(t)
	clk := newClock()
	table := d.table("inst")

	var mu sync.Mutex
	succeeded := map[string]int{} // event -> successful runs of the function
	var runs, failures atomic.Int64
	dead := map[string]bool{} // events whose first run dies mid-function on instance 0
	for i := 0; i < events; i += 25 {
		dead[fmt.Sprintf("DU%06d", i)] = true
	}
	diedOnce := map[string]bool{}
	release := make(chan struct{}) // ends the dead instance's stuck functions when the test ends
	var stuck sync.WaitGroup

	var servers []*httptest.Server
	var finishFailures []*atomic.Int64
	for inst := 0; inst < instances; inst++ {
		db, err := sql.Open(map[paycoolssql.Flavor]string{paycoolssql.SQLite: "sqlite", paycoolssql.Postgres: "pgx"}[d.flavor], d.dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		sqlStore, err := paycoolssql.NewNotificationStore(ctx, db, d.flavor, table, paycoolssql.WithLease(lease), paycoolssql.WithClock(clk.Now))
		require.NoError(t, err)
		// The database fails one Finish in ten, before or after its commit: the events stay
		// handled once. Instance 0's stuck functions are a dead process: no renewal arrives.
		store := &flakyFinish{NotificationStore: sqlStore, oneIn: 10, deadRenew: inst == 0}
		finishFailures = append(finishFailures, &store.failed)
		c, err := paycools.NewClient(testApp, merchant, paycools.WithPlatformPublicKey(&platform.PublicKey), paycools.WithNotificationStore(store),
			paycools.WithClock(clk.Now)) // the events carry clk's time: the replay window must read the same clock
		require.NoError(t, err)
		inst := inst
		h := c.NotificationHandler(func(_ context.Context, n *paycools.Notification) error {
			runs.Add(1)
			ev := n.Event.(*paycools.PayoutNotification)
			mu.Lock()
			die := inst == 0 && dead[ev.TransactionID] && !diedOnce[ev.TransactionID]
			if die {
				diedOnce[ev.TransactionID] = true
			}
			mu.Unlock()
			if die {
				// The process dies here: it never answers, and never finishes or releases.
				stuck.Add(1)
				defer stuck.Done()
				<-release
				return errors.New("killed")
			}
			if rand.IntN(5) == 0 {
				failures.Add(1)
				return errors.New("the merchant's database hiccuped")
			}
			mu.Lock()
			succeeded[ev.TransactionID]++
			mu.Unlock()
			return nil
		})
		srv := httptest.NewServer(h)
		servers = append(servers, srv)
	}
	t.Cleanup(func() {
		close(release)
		stuck.Wait()
		for _, s := range servers {
			s.Close()
		}
	})

	bodies := make(map[string][]byte, events)
	for i := 0; i < events; i++ {
		id := fmt.Sprintf("DU%06d", i)
		bodies[id] = callbackBody(t, platform, fmt.Sprintf(`{"eventName":"disbursement.success","mchOrderId":"M%06d","transactionId":%q,"amount":%d,"transactionStatus":"COMPLETED","returnTime":%q}`,
			i, id, 100+i, clk.Now().Format("2006-01-02 15:04:05")))
	}
	client := &http.Client{Timeout: 2 * time.Second} // PayCools gives up on an instance that does not answer
	deliver := func(id string, srv *httptest.Server) bool {
		resp, err := client.Post(srv.URL, "application/json", bytes.NewReader(bodies[id]))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}

	// First, the deliveries that the dead instance takes and never answers.
	var first sync.WaitGroup
	for id := range dead {
		first.Add(1)
		go func(id string) {
			defer first.Done()
			assert.False(t, deliver(id, servers[0]), "%s: the dead instance does not answer", id)
		}(id)
	}
	first.Wait()

	pending := make([]string, 0, events)
	for id := range bodies {
		pending = append(pending, id)
	}
	deadStillPending := 0
	for round := 0; len(pending) > 0; round++ {
		require.Less(t, round, 30, "events never acknowledged: %d", len(pending))
		if round == 3 {
			clk.Add(lease + time.Second) // the dead instance's claims end
		}
		var acked sync.Map
		sem := make(chan struct{}, 32)
		var wg sync.WaitGroup
		for _, id := range pending {
			for _, srv := range servers { // three deliveries at once, one to each instance
				wg.Add(1)
				sem <- struct{}{}
				go func(id string, srv *httptest.Server) {
					defer wg.Done()
					defer func() { <-sem }()
					if deliver(id, srv) {
						acked.Store(id, true)
					}
				}(id, srv)
			}
		}
		wg.Wait()
		next := pending[:0]
		for _, id := range pending {
			if _, ok := acked.Load(id); !ok {
				next = append(next, id)
			}
		}
		pending = next
		if round < 3 {
			for _, id := range pending {
				if dead[id] {
					deadStillPending++
				}
			}
		}
	}
	assert.Equal(t, 3*len(dead), deadStillPending, "within the lease, the dead instance's events stay in flight (500)")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, succeeded, events, "every event handled")
	for id, n := range succeeded {
		require.Equal(t, 1, n, "event %s: the function succeeded %d times", id, n)
	}
	assert.Len(t, diedOnce, len(dead), "the dead instance took each of its events first")
	assert.Positive(t, failures.Load(), "some runs failed and were handled again")
	var finishFailed int64
	for _, f := range finishFailures {
		finishFailed += f.Load()
	}
	assert.Positive(t, finishFailed, "some Finish calls failed")
	t.Logf("%d events, %d runs of the function (%d failed, %d died), %d Finish failures", events, runs.Load(), failures.Load(), len(diedOnce), finishFailed)
}
