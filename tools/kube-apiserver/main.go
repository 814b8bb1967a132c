// Command kube-apiserver is the upstream API server, built from the Go module
// proxy so the test bed runs a real control plane without a container engine.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	command := app.NewAPIServerCommand()
	code := cli.Run(command)
	os.Exit(code)
}
