// Command coredns is CoreDNS with only the plugins a one-node test cluster's DNS needs, built
// from the Go module proxy for the test bed's node component (scripts/setup.d/33-node.sh).
// Upstream's main imports every plugin (core/plugin), which pulls in the AWS, Azure and Google
// SDKs and several minutes of build for plugins a cluster without an outside network never
// uses; this is CoreDNS's documented compile-time plugin selection instead.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	// The plugins the node component's Corefile uses, in the order of upstream's plugin.cfg.
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives is upstream's order (plugin.cfg) restricted to the plugins above: a Corefile's
// plugins run in this order whatever order the Corefile lists them in.
var directives = []string{
	"ready",
	"health",
	"prometheus",
	"errors",
	"log",
	"loadbalance",
	"cache",
	"kubernetes",
}

func init() {
	dnsserver.Directives = directives
}

func main() {
	coremain.Run()
}
