// The workflow module is the one front ends import (the CLI, and the HTTP, LSP and MCP servers):
// it holds the `Engine` facade and the run (configuration, walking, baseline, `LintRunner`), and
// re-exports the engine's model (CopydeskCore) and the reporters (CopydeskReports) it hands out.
@_exported import CopydeskCore
@_exported import CopydeskReports
