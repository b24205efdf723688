// Package e2e drives the fake gateway's payer pages (package paycoolstest) in a real browser:
// headless Chromium through the DevTools protocol (github.com/chromedp/chromedp).
//
// It is a module of its own, as examples/otel is, so that neither the SDK nor paycoolstest
// depends on chromedp. Run it with
//
//	cd e2e && go test ./...
//
// It finds Chromium as $PAYCOOLS_CHROMIUM, or chromium, chromium-browser or google-chrome on
// $PATH (Debian: apt-get install chromium). Without one it skips, and fails when CI=true.
// Screenshots of every page it opens are written to $PAYCOOLS_ARTIFACTS, or e2e/artifacts
// (ignored by git).
package e2e
