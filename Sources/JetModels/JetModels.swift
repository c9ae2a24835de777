// JetModels: see ../shared/DESIGN.md section 1. Populated by its stage's work.
