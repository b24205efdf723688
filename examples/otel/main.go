// Example otel wires the SDK's per-attempt observer (paycools.WithAttemptObserver) to
// OpenTelemetry metrics: a counter of attempts and a histogram of their durations, by
// operation, HTTP status, PayCools code and outcome. It lives in its own module so that the
// SDK does not depend on OpenTelemetry. It runs on the embedded fake gateway and prints what
// a metrics reader collected:
//
//	cd examples/otel && go run .
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	paycools "github.com/paycools-sdk/paycools-go"
	"github.com/paycools-sdk/paycools-go/paycoolstest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// observer returns the WithAttemptObserver function recording into meter.
func observer(meter metric.Meter) (func(context.Context, paycools.Attempt), error) {
	attempts, err := meter.Int64Counter("paycools.client.attempts", metric.WithDescription("HTTP attempts to PayCools"))
	if err != nil {
		return nil, err
	}
	duration, err := meter.Float64Histogram("paycools.client.attempt.duration", metric.WithUnit("s"),
		metric.WithDescription("duration of one HTTP attempt to PayCools"))
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, a paycools.Attempt) {
		outcome := "ok"
		switch {
		case a.OutcomeUnknown:
			outcome = "unknown"
		case a.Err != nil:
			outcome = "error"
		}
		attrs := metric.WithAttributes(
			attribute.String("paycools.operation", string(a.Operation)),
			attribute.Int("http.response.status_code", a.HTTPStatus),
			attribute.Int("paycools.code", a.Code),
			attribute.String("paycools.outcome", outcome),
		)
		attempts.Add(ctx, 1, attrs)
		duration.Record(ctx, a.Duration.Seconds(), attrs)
	}, nil
}

func run(ctx context.Context, out io.Writer) error {
	reader := sdkmetric.NewManualReader()
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer provider.Shutdown(ctx)
	obs, err := observer(provider.Meter("github.com/paycools-sdk/paycools-go"))
	if err != nil {
		return err
	}

	gw := paycoolstest.NewServer()
	defer gw.Close()
	c := gw.Client(paycools.WithAttemptObserver(obs), paycools.WithRetries(1))

	params := &paycools.PayoutCreateParams{MchOrderID: "PO20241203000001", Amount: 50010,
		PayMethodCode: paycools.PayMethodEWallet, TransferCode: "GCASH", AccountNo: "09171234567", AccountName: "Juan Dela Cruz"}
	if _, err := c.Payouts.Create(ctx, params); err != nil {
		return err
	}
	gw.InjectFault(paycools.OpPayoutGet, paycoolstest.Fault{HTTPStatus: 503}) // one failed attempt, then a retry
	if _, err := c.Payouts.Get(ctx, &paycools.PayoutGetParams{MchOrderID: params.MchOrderID}); err != nil {
		return err
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					op, _ := dp.Attributes.Value("paycools.operation")
					st, _ := dp.Attributes.Value("http.response.status_code")
					oc, _ := dp.Attributes.Value("paycools.outcome")
					lines = append(lines, fmt.Sprintf("%s %s status=%s outcome=%s: %d", m.Name, op.AsString(),
						strconv.FormatInt(st.AsInt64(), 10), oc.AsString(), dp.Value))
				}
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(out, l)
	}
	return nil
}
