// Package paycools is a Go client for the PayCools payment gateway (Philippines, Indonesia,
// Malaysia, Thailand and white-label tenants of the same platform).
//
// A [Client] holds the merchant appId and the merchant RSA private key (or any
// [crypto.Signer] holding one, such as a KMS or HSM key). Every request is sent in the
// PayCools envelope {"appId","param","sign"}: param is the business fields serialized as a
// JSON string, and sign is the base64 SHA256withRSA signature of exactly those bytes.
//
// Services hang off the client, one per product family: Account, Payouts, BillsPayment,
// QRCodes, BankTransfers, WebPayments, Refunds, Checkout, DirectDebit and EKYC. Every method
// takes a context and a *Params struct and returns a typed result whose Raw field keeps the
// undecoded data.
//
// Money is an [Amount]: an int64 count of minor units (PHP 500.10 is 50010; Indonesian
// rupiah are whole units). Times are [Time], which decodes both wire formats PayCools uses.
//
// Callbacks from PayCools are verified with the PayCools platform public key
// ([WithPlatformPublicKey]) over the exact bytes received, by [Client.ParseNotification] or
// the http.Handler returned by [Client.NotificationHandler]. A [NotificationMux] serves the
// callbacks of several clients (one per appId) on one URL.
//
// Errors are typed: [*APIError] (with one sentinel per documented code, for errors.Is),
// [*HTTPError], [*TransportError], [*ValidationError] and [*SignatureError]. A money-moving
// call whose outcome is unknown reports it: see [IsOutcomeUnknown].
package paycools
