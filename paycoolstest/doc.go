// Package paycoolstest is an in-process fake PayCools gateway for tests, examples and the
// `paycools sandbox` command.
//
// A Server listens on a loopback address and answers every operation of the PayCools contract
// (docs/ in this repository) the way PayCools does: it parses the envelope ({appId, param, sign} as a JSON
// body, or as query parameters for GET), verifies the SHA256withRSA signature over the exact
// param bytes with the merchant public key, checks the timestamp window and the fields of each
// operation, keeps state for every product family, and answers {code, message, data} with the
// documented codes and messages.
//
// The gateway checks each request on its own terms: it never calls the SDK's request
// building, validation, decoding or signature verification, so a test through the SDK client
// checks the SDK against an independent reading of the contract.
//
// Outcomes that in production depend on payers, banks or wallets are driven by test methods
// (CompletePayout, PayVirtualAccount, ApproveAuthorization, ...). Each one POSTs a callback
// signed with the gateway's platform key to the object's notifyUrl (or to the dashboard
// callback URL set with SetCallbackURL) and returns the merchant's reply, which is also kept
// in Callbacks. A callback with no URL to go to is kept there too, undeliverable
// (ErrNoCallbackURL); Redeliver sends any recorded callback again, byte for byte. Faults (a
// code, a delay, a dropped connection before or after the gateway acts) are injected per
// operation with InjectFault, so that unknown outcomes and the SDK's reconcile path can be
// tested.
//
// A route the gateway does not model is added with WithRoute: its requests are checked as the
// modelled routes of the same form are, and a Route's Handle answers the verified ones, so
// that code calling it through paycools.Client.Call can be tested too.
//
//	s := paycoolstest.NewServer()
//	defer s.Close()
//	c := s.Client()
//	p, err := c.Payouts.Create(ctx, &paycools.PayoutCreateParams{...})
//	res, err := s.CompletePayout(p.MchOrderID) // disbursement.success to the callback URL
//
// For use by hand (the sandbox command), the same address also serves the pages whose links
// the API hands out (payData, checkoutUrl, authUrl, ekycUrl, qrLink, guideUrl), with buttons
// that run the outcomes, and a small control API under SandboxPrefix (its doc lists the routes):
//
//	curl -X POST http://127.0.0.1:8080/sandbox/complete-payout/ORDER1
//	curl -X POST -d failedCode=-10005 -d message=closed http://127.0.0.1:8080/sandbox/fail-payout/ORDER2
//	curl http://127.0.0.1:8080/sandbox/callbacks
package paycoolstest
