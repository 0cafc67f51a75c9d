"""Protocol methods, one module per group; each exports `METHODS` (name -> handler)."""
