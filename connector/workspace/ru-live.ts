/**
 * The Russian of every user-visible text that a run's results as records, Retry failed and the
 * requester's notification add to the workspace (issue 29, part B), English → Russian: for the
 * workspace's translation mechanism to take in (field labels and help, the model's name, the form's
 * button, question, group and note, the server actions' names, the notification's words and the
 * retry's refusals). Nothing reads this table yet.
 */
export const RU_LIVE: Readonly<Record<string, string>> = {
  // Model and fields (models.ts)
  'RCP run: failed record': 'Запуск RCP: ошибочная запись',
  Record: 'Запись',
  Run: 'Запуск',
  Kind: 'Вид',
  'RCP id': 'Идентификатор RCP',
  'RCP counterparty': 'Контрагент RCP',
  'Odoo company': 'Компания в Odoo',
  'Odoo payment': 'Платёж в Odoo',
  Why: 'Причина',
  Company: 'Компания',
  Created: 'Создано',
  Updated: 'Обновлено',
  Unchanged: 'Без изменений',
  'Failed records': 'Записи с ошибками',
  'Retry of': 'Повтор запуска',
  'Only these RCP records': 'Только эти записи RCP',
  'The RCP ids (one a line) a Retry failed run works on; empty: all.':
    'Идентификаторы RCP (по одному в строке), которые обрабатывает повтор ошибочных записей; пусто — все.',
  // The run's form (view_x_rcp_run_form.xml)
  'Retry failed': 'Повторить ошибочные',
  'Request a new run for just the failed records of this one?':
    'Запросить новый запуск только для записей с ошибками этого запуска?',
  Counts: 'Итоги',
  'Retry failed is offered for invoice and corrections runs. Run this kind again instead: a sync reads RCP whole and leaves unchanged records as they are, a payments push takes every payment RCP does not have yet, a reconcile only compares.':
    'Повтор ошибочных записей доступен для запусков счетов и корректировок. Запустите этот вид заново: синхронизация читает RCP целиком и не трогает неизменённые записи, отправка платежей берёт все платежи, которых ещё нет в RCP, сверка только сравнивает.',
  // Server actions (definition.ts)
  'RCP: finish a run': 'RCP: завершить запуск',
  // The requester's notification and chatter note (runs.ts, action_run_finish.py)
  done: 'выполнен',
  'done with failures': 'выполнен с ошибками',
  failed: 'завершился ошибкой',
  'no record failed': 'ошибок нет',
  '{n} record(s) failed': 'записей с ошибками: {n}',
  '{created} created, {updated} updated, {unchanged} unchanged':
    'создано {created}, обновлено {updated}, без изменений {unchanged}',
  // Retry failed's refusals (action_run_retry.py)
  'Choose a run to retry.': 'Выберите запуск для повтора.',
  'Only a finished run can be retried: {run} is {state}.':
    'Повторить можно только завершённый запуск: {run} в состоянии «{state}».',
  'This run has no failed record with an RCP id to retry: request a new run instead.':
    'У этого запуска нет ошибочных записей с идентификатором RCP для повтора: запросите новый запуск.',
};
