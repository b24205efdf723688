package paycools

import "testing"

func TestTransactionIDOfKey(t *testing.T) {
	for key, want := range map[string]string{
		"qrcode.payment.success:transactionId=C1:COMPLETED":      "C1",
		"qrcode.payment.success:transactionId=C1%3A2%25:PENDING": "C1:2%",
		"refund.success:refundTransactionId=R1:COMPLETE":         "",
		"ekyc.success:requestId=R1:APPROVED":                     "",
		"va.payment:sha256=abc":                                  "",
	} {
		if got := transactionIDOfKey(key); got != want {
			t.Errorf("transactionIDOfKey(%q) = %q, want %q", key, got, want)
		}
	}
}
