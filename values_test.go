package paycools

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAmount(t *testing.T) {
	good := map[string]Amount{`50010`: 50010, `"50010"`: 50010, `"-10004"`: -10004, `100.0`: 10000, `"100.00"`: 10000, `"500.1"`: 50010, `500.10`: 50010, `null`: 0, `""`: 0, `0`: 0}
	for in, want := range good {
		var a Amount
		require.NoError(t, json.Unmarshal([]byte(in), &a), in)
		assert.Equal(t, want, a, in)
	}
	for _, in := range []string{`"12.345"`, `12.001`, `1e3`, `"5.5.5"`, `"abc"`, `true`, `{}`, `[]`, `"1e400"`} {
		var a Amount = 7
		assert.Error(t, json.Unmarshal([]byte(in), &a), in)
		assert.Equal(t, Amount(7), a, "a failed decode leaves the value unchanged")
	}
	assert.Equal(t, "500.10", Amount(50010).String())
	assert.Equal(t, "0.05", Amount(5).String())
	assert.Equal(t, "-1.00", Amount(-100).String())
	b, err := json.Marshal(struct{ A Amount }{50010})
	require.NoError(t, err)
	assert.Equal(t, `{"A":50010}`, string(b), "amounts are JSON integers, never floats or strings")

	parsed := map[string]Amount{"500.10": 50010, "500.1": 50010, "500": 50000, "10000.00": 1000000, "-0.01": -1, "0.100": 10}
	for in, want := range parsed {
		got, err := ParseAmount(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"1.234", "", ".5", "1,000", "abc", "99999999999999999999"} {
		_, err := ParseAmount(in)
		assert.Error(t, err, in)
	}
}

func TestTime(t *testing.T) {
	want := time.Date(2024, 7, 19, 6, 14, 47, 0, time.UTC)
	for _, in := range []string{`"2024-07-19 14:14:47"`, `"2024-07-19T14:14:47+08:00"`, `"2024-07-19T06:14:47Z"`,
		`"2024-07-19T14:14:47+0800"`, `1721369687`, `1721369687000`, `"1721369687"`, `"2024-07-19T06:14:47.000+00:00"`} {
		var v Time
		require.NoError(t, json.Unmarshal([]byte(in), &v), in)
		assert.True(t, want.Equal(v.Time), "%s gave %v", in, v.Time)
	}
	var d Time
	require.NoError(t, json.Unmarshal([]byte(`"2024-07-19"`), &d))
	assert.True(t, time.Date(2024, 7, 18, 16, 0, 0, 0, time.UTC).Equal(d.Time), "a date is midnight UTC+8")
	for _, in := range []string{`null`, `""`} {
		var z Time
		require.NoError(t, json.Unmarshal([]byte(in), &z))
		assert.True(t, z.IsZero())
	}
	for _, in := range []string{`"19/07/2024"`, `"yesterday"`, `true`, `{}`} {
		var z Time
		assert.Error(t, json.Unmarshal([]byte(in), &z), in)
	}
	b, err := json.Marshal(Time{want})
	require.NoError(t, err)
	assert.Equal(t, `"2024-07-19 14:14:47"`, string(b))
	b, err = json.Marshal(Time{})
	require.NoError(t, err)
	assert.Equal(t, `""`, string(b))
}

func TestTransactionStatusSpellings(t *testing.T) {
	for in, want := range map[string]TransactionStatus{`"COMPLETE"`: TransactionStatusCompleted, `"completed"`: TransactionStatusCompleted,
		`"FAIL"`: TransactionStatusFailed, `"Pending"`: TransactionStatusPending, `"REVERSED"`: "REVERSED"} {
		var s TransactionStatus
		require.NoError(t, json.Unmarshal([]byte(in), &s))
		assert.Equal(t, want, s, in)
	}
	assert.True(t, TransactionStatusCompleted.Final())
	assert.True(t, TransactionStatusFailed.Final())
	assert.False(t, TransactionStatusPending.Final())
	assert.False(t, TransactionStatus("REVERSED").Final())
}

func TestMaskAccountNumber(t *testing.T) {
	assert.Equal(t, "******7890", MaskAccountNumber("1234567890"))
	assert.Equal(t, "****", MaskAccountNumber("1234"))
	assert.Equal(t, "body 12***** *5678 and ******4321 sign=[redacted]",
		redactText("body 12***** *5678 and 0987654321 sign=QUJDRA==", 200))
}
