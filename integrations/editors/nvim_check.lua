-- Headless Neovim check of the snippet in docs/editors.md (run by .ci/editors):
--   nvim --headless -u SNIPPET.lua -c "luafile integrations/editors/nvim_check.lua" Fixtures/seed-article/article.txt
-- Waits for copydesk's diagnostics on the seed article and checks one range; exits 0 or 1.
local bufnr = vim.api.nvim_get_current_buf()
local ok = vim.wait(20000, function() return #vim.diagnostic.get(bufnr) >= 6 end, 50)
local diags = vim.diagnostic.get(bufnr)
local found = false
for _, d in ipairs(diags) do
  io.stdout:write(string.format("nvim: %d:%d %s\n", d.lnum + 1, d.col + 1, d.message))
  if d.lnum == 10 and d.col == 34 and d.message:find("Discount pitch", 1, true) then found = true end
end
if ok and #diags == 6 and found then
  io.stdout:write("nvim: OK, " .. #diags .. " diagnostics from copydesk lsp\n")
  vim.cmd("qall!")
else
  io.stdout:write("nvim: FAILED, " .. #diags .. " diagnostics\n")
  vim.cmd("cquit 1")
end
