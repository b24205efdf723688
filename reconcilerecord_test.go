package paycools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An unreadable record's text keeps what identifies it (ids, amounts, times) and masks every
// number that could be an account or a mobile, in any field, known or forged, and in names.
func TestRecordTextMasksNumbers(t *testing.T) {
	raw := json.RawMessage(`{"merchantOrderId":"202612010001","transactionId":"C1175679364396181358","amount":"1000000.005",
		"createTime":"2026-12-01 10:00:00","mobile":"09171234567","accountNo":"1234 5678 9012","nested":{"card":"4111111111111111"},
		"0917555123456":"x","amount2":"` + strings.Repeat("9", 70) + `"}`)
	text := recordText(raw, 1000)
	for _, keep := range []string{`"merchantOrderId":"202612010001"`, `"transactionId":"C1175679364396181358"`,
		`"amount":"1000000.005"`, `"createTime":"2026-12-01 10:00:00"`, `"mobile":"*******4567"`} {
		assert.Contains(t, text, keep)
	}
	for _, secret := range []string{"09171234567", "1234 5678 9012", "4111111111111111", "0917555123456", strings.Repeat("9", 70)} {
		assert.NotContains(t, text, secret)
	}

	// Not a flat object: redacted whole; and cut to max characters.
	assert.Equal(t, `["*******4567"]`, recordText(json.RawMessage(`["09171234567"]`), 100))
	assert.Equal(t, 11, len([]rune(recordText(json.RawMessage(`{"status":"COMPLETE"}`), 10))), "10 characters and …")
}
