package paycools

// What a call tells the merchant's logs and observers: one line per attempt, one per money
// movement, and the Attempt observer API.

import (
	"context"
	"log/slog"
	"reflect"
	"time"
)

// logAttempt writes the one line per attempt: never param, sign or keys.
func (c *Client) logAttempt(ctx context.Context, op Operation, path string, attempt int, start time.Time, status, code int, err error) {
	if c.observer != nil {
		c.observer(ctx, Attempt{Operation: op, Path: path, Attempt: attempt, Duration: time.Since(start),
			HTTPStatus: status, Code: code, Err: err, OutcomeUnknown: IsOutcomeUnknown(err)})
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if !c.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", string(op)),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Int("http_status", status),
		slog.Int("code", code),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redactText(err.Error(), 300)))
	}
	c.logger.LogAttrs(ctx, level, "paycools request", attrs...)
}

// logMoneyMoved writes the one Info line of a money-moving call that succeeded: the
// operation, the amount (minor units), the merchant order id and the account masked to its
// last four characters, so that a merchant's logs show every payout, payment and refund
// without Debug. Nothing else is logged at Info.
func (c *Client) logMoneyMoved(ctx context.Context, op Operation, params any, attempts int) {
	if !c.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	v := validation{rules: c.rules}
	rv := reflect.Indirect(reflect.ValueOf(params))
	attrs := []slog.Attr{slog.String("operation", string(op))}
	for _, name := range [...]string{"amount", "refundAmount"} {
		if f, ok := fieldJSON(&v, rv, name); ok && f.CanInt() {
			attrs = append(attrs, slog.Int64("amount", f.Int()))
			break
		}
	}
	for _, name := range [...]string{"mchOrderId", "mchRefundOrderId"} {
		if s := fieldStringJSON(&v, rv, name); s != "" {
			attrs = append(attrs, slog.String("mch_order_id", s))
			break
		}
	}
	if s := fieldStringJSON(&v, rv, "originalTransactionId"); s != "" {
		attrs = append(attrs, slog.String("original_transaction_id", s))
	}
	if s := fieldStringJSON(&v, rv, "accountNo"); s != "" {
		attrs = append(attrs, slog.String("account", MaskAccountNumber(s)))
	}
	attrs = append(attrs, slog.Int("attempts", attempts))
	c.logger.LogAttrs(ctx, slog.LevelInfo, "paycools money-moving call succeeded", attrs...)
}

// Attempt is one HTTP attempt of a call, as the WithAttemptObserver function sees it.
type Attempt struct {
	// Operation is the SDK operation, e.g. OpPayoutCreate ("Payouts.Create").
	Operation Operation
	// Path is the URL path requested.
	Path string
	// Attempt counts from 1; above 1 it is a retry.
	Attempt int
	// Duration is the attempt's time, from signing to the answer read.
	Duration time.Duration
	// HTTPStatus is the answer's status, 0 when none came.
	HTTPStatus int
	// Code is PayCools' response code, 0 when the answer had none.
	Code int
	// Err is the attempt's error (nil on success); its text is safe to record.
	Err error
	// OutcomeUnknown reports whether the request may have been acted on without an answer
	// saying so.
	OutcomeUnknown bool
}

// WithAttemptObserver calls fn after every HTTP attempt of every call (retries included),
// synchronously, on the calling goroutine, with the call's ctx: wire it to metrics or tracing
// (examples/otel shows OpenTelemetry). fn must be quick and safe for concurrent use; it
// must not call the client.
func WithAttemptObserver(fn func(ctx context.Context, a Attempt)) Option {
	return func(c *Client) error {
		c.observer = fn
		return nil
	}
}
