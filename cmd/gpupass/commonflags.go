package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gpupass/gpupass/render"
)

// annFormats is the cobra annotation that lists the formats a command
// writes, for checkFormat and the flag's help.
const annFormats = "gpupass/formats"

// formatFlag defines --format on a command that writes the given formats
// (the first is the default).
func (g *globalOptions) formatFlag(cmd *cobra.Command, formats ...string) {
	help := "output format: " + orList(formats)
	if slices.Contains(formats, string(render.FormatPrometheus)) {
		help += " (prometheus: node_exporter's textfile collector)"
	}
	cmd.Flags().StringVar(&g.format, "format", formats[0], help)
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[annFormats] = strings.Join(formats, ",")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletions(formats...))
}

// reportFormats are what the commands that run checks write.
var reportFormats = []string{"text", "json", "junit", "prometheus"}

// checkFormat refuses a --format the command does not write, before it
// reads anything.
func (g *globalOptions) checkFormat(cmd *cobra.Command) error {
	formats, ok := cmd.Annotations[annFormats]
	if !ok {
		return nil
	}
	allowed := strings.Split(formats, ",")
	if slices.Contains(allowed, g.format) {
		return nil
	}
	if _, err := render.ParseFormat(g.format); err != nil {
		return fmt.Errorf("--format: unknown format %q: %s writes %s", g.format, cmd.Name(), orList(allowed))
	}
	return fmt.Errorf("--format %s: %s writes %s", g.format, cmd.Name(), orList(allowed))
}

// rootFlag defines --root on a command that reads a host.
func (g *globalOptions) rootFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&g.root, "root", "/", "read the host's files under `DIR` (a captured host tree) or from a snapshot tarball (gpupass snapshot) instead of /")
}

// failOnFlag defines --fail-on on a command whose exit status says
// whether it found problems.
func (g *globalOptions) failOnFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&g.failOn, "fail-on", "error", "findings that make the exit status 1: error or warning")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", fixedCompletions("error", "warning"))
}

// colorFlag defines --no-color on a command whose text output has
// colours.
func (g *globalOptions) colorFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&g.noColor, "no-color", false, "no colours in text output (also when NO_COLOR is set or stdout is not a terminal)")
}

// orList writes "a", "a or b", "a, b or c".
func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// noArgs is cobra.NoArgs with a message an operator can act on.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %q (flags start with --; see gpupass %s --help)", cmd.Name(), args[0], cmd.Name())
	}
	return nil
}

// completionShells are the shells cobra writes completion scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// NewCmdCompletion writes a shell completion script. It replaces cobra's
// default command, which printed its help and succeeded for a shell it
// does not know.
func NewCmdCompletion(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Write the completion script of a shell",
		Long: `completion writes the script that makes a shell complete gpupass's
commands, flags, check IDs and artifacts.

  bash:       source <(gpupass completion bash)
              or save it as /usr/share/bash-completion/completions/gpupass
  zsh:        gpupass completion zsh > "${fpath[1]}/_gpupass"
  fish:       gpupass completion fish > ~/.config/fish/completions/gpupass.fish
  powershell: gpupass completion powershell | Out-String | Invoke-Expression`,
		Example:   `  source <(gpupass completion bash)`,
		ValidArgs: completionShells,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || !slices.Contains(completionShells, args[0]) {
				got := "none"
				if len(args) > 0 {
					got = strings.Join(args, " ")
				}
				return fmt.Errorf("completion needs one shell: %s (got %s)", orList(completionShells), got)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return root.GenPowerShellCompletionWithDesc(out)
		},
	}
}

// usageTemplate is cobra's, with flag descriptions wrapped to 80 columns
// and no "Global Flags" (each command defines the flags it takes).
const usageTemplate = `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Available Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsagesWrapped 80 | trimTrailingWhitespaces}}{{end}}{{if .HasHelpSubCommands}}

Additional help topics:{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{end}}
`
