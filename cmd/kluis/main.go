// Command kluis is back-office software for Dutch staffing agencies with the
// GDPR built into its data model. Run `kluis help` for its subcommands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"kluis/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
