"""Tools an agent may call: one module per tool, found through `registry.TOOLS`.

Each tool implements `base.Tool`; `policy` decides which ones a turn may see; the tool loop
(`agents.toolloop`) sends their specs to the model, runs the calls and feeds the results
back. A tool never imports a channel or the gateway: it reaches them through `ToolContext`.
"""
