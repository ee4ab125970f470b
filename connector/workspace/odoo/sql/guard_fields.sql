-- Installed by rcp-odoo setup (action_install_guards): the records of {{table}} are the connector's.
-- RCP users may write them only to talk about them (Odoo asks for the right to write a record to
-- post a message or plan an activity on it), so this refuses, in the transaction of every writer,
-- a change of their fields by anyone but a user of the connector's group or the workspace's own
-- actions (which set {{setting}} for their transaction). Fields a user may change while the record
-- is requested are compared only once it is not.
CREATE OR REPLACE FUNCTION {{table}}_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
DECLARE
  changed text[] := '{}';
BEGIN
  IF coalesce(current_setting('{{setting}}', true), '') = 'on' OR EXISTS (
    SELECT 1 FROM res_groups_users_rel r
      JOIN ir_model_data d ON d.res_id = r.gid AND d.model = 'res.groups' AND d.module = '{{module}}' AND d.name = '{{group}}'
     WHERE r.uid = NEW.write_uid
  ) THEN
    RETURN NEW;
  END IF;
  {{compare}}
  IF cardinality(changed) > 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = format('%s %s is the connector''s record: only the connector changes %s.', '{{label}}', OLD.id, array_to_string(changed, ', '));
  END IF;
  RETURN NEW;
END
$guard$;
DROP TRIGGER IF EXISTS {{table}}_guard ON {{table}};
CREATE TRIGGER {{table}}_guard BEFORE UPDATE OF {{columns}} ON {{table}} FOR EACH ROW EXECUTE FUNCTION {{table}}_guard();
