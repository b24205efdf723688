package paycools

import (
	"bytes"
	"encoding/json"
	"strings"
)

// unmatchable says why a statement record cannot be matched, or "" when it can. A record that
// failed to decode is left zero but for Raw (decodeResult's rule, with a Warn line), so a
// record without merchantOrderId is decoded again from Raw for the reason; *T is the record's
// json.Unmarshaler.
func unmatchable[T any](orderID string, raw json.RawMessage) string {
	if orderID != "" {
		return ""
	}
	var probe T
	if err := json.Unmarshal(raw, &probe); err != nil {
		return "unreadable: " + redactText(strings.TrimPrefix(err.Error(), "paycools: record: "), 300)
	}
	return "no merchantOrderId: the record cannot be matched to an order"
}

// statementRecordIDs reads merchantOrderId and transactionId from a statement record's text,
// as far as it is a JSON object that holds them as strings or numbers.
func statementRecordIDs(raw json.RawMessage) (order, txn string) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return "", ""
	}
	if v, ok := lookupField(fields, "merchantOrderId"); ok {
		order, _ = decodeString(v)
	}
	if v, ok := lookupField(fields, "transactionId"); ok {
		txn, _ = decodeString(v)
	}
	return strings.TrimSpace(order), strings.TrimSpace(txn)
}

// plainRecordFields are the statement record fields whose values recordText shows as sent:
// ids, amounts, times and display names, which hold no account or mobile number.
var plainRecordFields = map[string]bool{
	"merchantorderid": true, "transactionid": true, "amount": true, "fee": true, "status": true,
	"createtime": true, "completetime": true, "paymentmethod": true, "paymentchannel": true,
	"appname": true, "receivingchannel": true, "remittingbank": true,
}

// recordText is a statement record's text for a report: a flat JSON object is written back
// field by field, the values of plainRecordFields as sent (up to 64 characters) and every
// other value and name through redactText (digit runs masked: mobile and account numbers);
// anything else is redacted whole. The result is cut to max characters.
func recordText(raw json.RawMessage, max int) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return redactText(string(raw), max)
	}
	var b strings.Builder
	b.WriteByte('{')
	for dec.More() {
		t, err := dec.Token()
		name, ok := t.(string)
		var v json.RawMessage
		if err != nil || !ok || dec.Decode(&v) != nil {
			return redactText(string(raw), max)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(name)
		b.WriteString(redactText(string(key), 64))
		b.WriteByte(':')
		if text := string(bytes.TrimSpace(v)); plainRecordFields[strings.ToLower(name)] && len(text) <= 64 {
			b.WriteString(text)
		} else {
			b.WriteString(redactText(text, 200))
		}
	}
	b.WriteByte('}')
	if r := []rune(b.String()); len(r) > max {
		return string(r[:max]) + "…"
	}
	return b.String()
}
