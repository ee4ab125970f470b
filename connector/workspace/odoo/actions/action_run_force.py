# "Rewrite edited drafts" (the CLI's --force) on a requested invoice run, after the user confirmed:
# the run's check (x_checked) refuses it to anyone but RCP / Manager, with the worker's words.
for run in records:
    if run.x_state == 'requested' and not run.x_force:
        run.write({'x_force': True})
