-- Installed by rcp-odoo setup (action_install_guards): the links of {{table}} belong to the
-- connector's records of {{parent}}. A link row names no writer, but Odoo stamps the record whose
-- field it is (write_uid) in the same transaction: at commit, a link added is kept only when that
-- record was last written by a user of the connector's group, or by the workspace's own actions
-- ({{setting}}). Links removed are not checked: deleting an Odoo record removes its links.
CREATE OR REPLACE FUNCTION {{table}}_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
BEGIN
  IF coalesce(current_setting('{{setting}}', true), '') = 'on' OR EXISTS (
    SELECT 1 FROM {{parent}} p
      JOIN res_groups_users_rel r ON r.uid = p.write_uid
      JOIN ir_model_data d ON d.res_id = r.gid AND d.model = 'res.groups' AND d.module = '{{module}}' AND d.name = '{{group}}'
     WHERE p.id = NEW.{{column}}
  ) OR NOT EXISTS (SELECT 1 FROM {{parent}} p WHERE p.id = NEW.{{column}}) THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
    MESSAGE = format('%s %s is the connector''s record: only the connector changes %s.', '{{label}}', NEW.{{column}}, '{{field}}');
END
$guard$;
DROP TRIGGER IF EXISTS {{table}}_guard ON {{table}};
CREATE CONSTRAINT TRIGGER {{table}}_guard AFTER INSERT ON {{table}} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {{table}}_guard();
