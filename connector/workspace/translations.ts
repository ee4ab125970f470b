/**
 * The workspace in the user's language: every text of it a person sees (group, model, field and
 * help, selection option, server and window action, menu, and each view's labels, buttons,
 * confirmations, placeholders and filters) is written in English by the definition and in Russian
 * from this module's table, which setup writes as Odoo's own translations (`update_field_translations`
 * through one server action, `action_translate`): a user whose language is Russian sees Russian.
 *
 * One home for the Russian texts: `RU` below, keyed by the English text the definition uses (the same
 * English anywhere in the workspace reads the same in Russian). To add a label, add its line here: the
 * unit test fails while any text of the definition has none. Texts already in Russian (the documents'
 * fields and reports) need no line.
 */
import type { WorkspaceItem } from './items.ts';
import { fullXmlid } from './items.ts';

/** The language setup writes besides English. */
export const RUSSIAN = 'ru_RU';

/** The translated (jsonb) fields of each kind of record the workspace makes that a person reads (17, 18, 19). */
const TRANSLATED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'res.groups': ['name', 'comment'],
  'res.groups.privilege': ['name'],
  'ir.module.category': ['name'],
  'ir.model': ['name'],
  'ir.model.fields': ['field_description', 'help'],
  'ir.actions.server': ['name'],
  'ir.actions.act_window': ['name'],
  'ir.ui.menu': ['name'],
  'ir.actions.report': ['name'],
};

/** The attributes of a view Odoo translates (its TRANSLATED_ATTRS) that the workspace's views use. */
const VIEW_ATTRIBUTES = ['string', 'help', 'sum', 'avg', 'confirm', 'placeholder', 'title'] as const;

/** One text to translate, where it lives. */
export type TranslationEntry =
  | { xmlid: string; field: string; value: string }
  | { xmlid: string; field: 'selection'; selection: string; value: string }
  | { xmlid: string; field: 'arch_db'; terms: Record<string, string> };

/** A text a person reads, in English, and where it is. */
export interface Text {
  xmlid: string;
  field: string;
  selection?: string;
  english: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const xmlText = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ENTITIES[e] ?? '');

/** Whether a text needs no translation: no Latin words (Russian already, or figures and signs). */
function alreadyRussian(text: string): boolean {
  return !/[A-Za-z]{2,}/.test(text) || /[А-Яа-яЁё]/.test(text);
}

/** The options of a selection as the definition writes them (`pythonSelection`). */
function selectionOptions(python: string): Array<[string, string]> {
  return [...python.matchAll(/\('([^']*)', '([^']*)'\)/g)].map((m) => [m[1] as string, m[2] as string]);
}

/** Every text of the workspace a person reads, in English, with where it is. */
export function textsOf(items: readonly WorkspaceItem[]): Text[] {
  const out: Text[] = [];
  for (const item of items) {
    const xmlid = fullXmlid(item.name);
    for (const field of TRANSLATED_FIELDS[item.model] ?? []) {
      const value = item.values[field];
      if (typeof value === 'string' && value.trim() !== '') out.push({ xmlid, field, english: value });
    }
    const selection = item.values.selection;
    if (item.model === 'ir.model.fields' && typeof selection === 'string') {
      for (const [value, label] of selectionOptions(selection))
        out.push({ xmlid, field: 'selection', selection: value, english: label });
    }
    const arch = item.values.arch;
    if (item.model === 'ir.ui.view' && item.values.type !== 'qweb' && typeof arch === 'string') {
      const pattern = new RegExp(`\\s(${VIEW_ATTRIBUTES.join('|')})="([^"]*)"`, 'g');
      for (const m of arch.matchAll(pattern))
        out.push({ xmlid, field: 'arch_db', english: xmlText(m[2] as string) });
    }
  }
  return out.filter((t) => !alreadyRussian(t.english));
}

/** The texts of the definition that have no Russian in `RU` (the unit test keeps this empty). */
export function untranslated(items: readonly WorkspaceItem[]): string[] {
  return [...new Set(textsOf(items).map((t) => t.english))].filter((e) => RU[e] === undefined);
}

/** What setup writes in Russian: one entry per translated field, one per view with all its terms. */
export function russianEntries(items: readonly WorkspaceItem[]): TranslationEntry[] {
  const entries: TranslationEntry[] = [];
  const views = new Map<string, Record<string, string>>();
  for (const text of textsOf(items)) {
    const ru = RU[text.english];
    if (ru === undefined) continue;
    if (text.field === 'arch_db') {
      const terms = views.get(text.xmlid) ?? {};
      terms[text.english] = ru;
      views.set(text.xmlid, terms);
    } else if (text.selection !== undefined) {
      entries.push({ xmlid: text.xmlid, field: 'selection', selection: text.selection, value: ru });
    } else {
      entries.push({ xmlid: text.xmlid, field: text.field, value: ru });
    }
  }
  for (const [xmlid, terms] of views) entries.push({ xmlid, field: 'arch_db', terms });
  return entries;
}

/** English → Russian, for every text of the workspace. */
export const RU: Readonly<Record<string, string>> = {
  'RCP / User': 'RCP / Пользователь',
  'Requests RCP runs, links counterparties, sees usage and settles payments that need review.':
    'Запрашивает запуски RCP, связывает контрагентов, видит потребление и разбирает платежи, требующие проверки.',
  'RCP / Manager': 'RCP / Руководитель',
  'Everything an RCP user does, plus deleting requested runs and counterparties.':
    'Всё, что может пользователь RCP, а также удаление запрошенных запусков и контрагентов.',
  'RCP connector (technical)': 'Коннектор RCP (технический)',
  "The connector's own Odoo user: the only one that may write the payments ledger. Given by `rcp-odoo setup` to ODOO_USER.":
    'Собственный пользователь коннектора в Odoo: только он может писать в журнал платежей. Назначается командой `rcp-odoo setup` пользователю ODOO_USER.',
  'RCP counterparty': 'Контрагент RCP',
  'RCP run': 'Запуск RCP',
  'RCP usage': 'Потребление RCP',
  'Payment to RCP': 'Платёж в RCP',
  'RCP claim': 'Блокировка RCP',
  'RCP draft mark': 'Отметка черновика RCP',
  Name: 'Название',
  'RCP id': 'ID в RCP',
  'The uuid of the RCP partner or client, lower case.': 'UUID партнёра или клиента RCP, строчными буквами.',
  Kind: 'Вид',
  Partner: 'Партнёр',
  Client: 'Клиент',
  Status: 'Статус',
  Linked: 'Связан',
  'To match': 'Требует сопоставления',
  'Odoo company': 'Компания в Odoo',
  'The Odoo company it is linked to. Choose another to re-link; the next sync applies it.':
    'Компания Odoo, с которой он связан. Выберите другую, чтобы перепривязать; это применит следующая синхронизация.',
  'Suggested company': 'Предлагаемая компания',
  'An Odoo company with the same reference, or the same name once legal forms and quotes are set aside.':
    'Компания Odoo с тем же внешним кодом или с тем же названием без учёта организационно-правовой формы и кавычек.',
  'Linked by an accountant': 'Связан бухгалтером',
  'Company linked in the last sync': 'Компания, связанная последней синхронизацией',
  "The company the RCP record's invoices and payments go to now; a company chosen above replaces it at the next sync.":
    'Компания, на которую сейчас идут счета и платежи записи RCP; выбранная выше компания заменит её при следующей синхронизации.',
  'The company was chosen in Odoo: the sync keeps its name, address and e-mail and sets only the tag, reference, price list and payment term.':
    'Компания выбрана в Odoo: синхронизация сохраняет её название, адрес и e-mail и задаёт только метку, внешний код, прайс-лист и условия оплаты.',
  'Create a new company': 'Создать новую компанию',
  'Ask the next sync to make a new Odoo company for it.':
    'Попросить следующую синхронизацию создать для него новую компанию в Odoo.',
  'RCP partner': 'Партнёр RCP',
  Contract: 'Договор',
  'Billing plan': 'Тарифный план',
  'Payment model': 'Модель оплаты',
  Currency: 'Валюта',
  Balance: 'Баланс',
  'Last synced': 'Последняя синхронизация',
  What: 'Что',
  'Sync counterparties and tariffs': 'Синхронизировать контрагентов и тарифы',
  'Invoices for a month': 'Счета за месяц',
  'Corrections of posted invoices for a month (RCP / Manager)':
    'Корректировки проведённых счетов за месяц (RCP / Руководитель)',
  'Push payments to RCP': 'Передать платежи в RCP',
  'Reconcile a month': 'Сверка за месяц',
  'Month (YYYY-MM)': 'Месяц (ГГГГ-ММ)',
  'For invoices and reconcile.': 'Для счетов и сверки.',
  'Only this partner or client': 'Только этот партнёр или клиент',
  'Only RCP partner (uuid)': 'Только партнёр RCP (uuid)',
  'Only RCP client (uuid)': 'Только клиент RCP (uuid)',
  'Dry run (write nothing)': 'Пробный запуск (ничего не записывать)',
  Requested: 'Запрошен',
  Running: 'Выполняется',
  Done: 'Выполнен',
  Failed: 'Ошибка',
  'Started by': 'Кем запущен',
  'Odoo user': 'Пользователь Odoo',
  Schedule: 'Расписание',
  'Command line': 'Командная строка',
  'Requested by': 'Запросил',
  'Requested at': 'Запрошен в',
  'Started at': 'Начат в',
  'Finished at': 'Завершён в',
  Worker: 'Обработчик',
  'Progress (%)': 'Выполнено (%)',
  'Failed records': 'Записи с ошибками',
  Summary: 'Итоги',
  Invoices: 'Счета',
  'Billing class': 'Класс тарификации',
  Month: 'Месяц',
  'Invoiced company': 'Компания-плательщик',
  'RCP client': 'Клиент RCP',
  Product: 'Товар',
  Quantity: 'Количество',
  Unit: 'Единица',
  Amount: 'Сумма',
  Invoice: 'Счёт',
  Run: 'Запуск',
  'Corrects invoice': 'Корректирует счёт',
  Company: 'Компания',
  Payment: 'Платёж',
  'Odoo payment': 'Платёж в Odoo',
  'Being sent': 'Отправляется',
  Pushed: 'Передан',
  'Needs review': 'Требует проверки',
  'Not pushed': 'Не передан',
  'Received by RCP': 'Получено RCP',
  'Details sent to RCP': 'Назначение, переданное в RCP',
  'RCP balance': 'Баланс в RCP',
  'The RCP balance the payment goes to: client:<uuid> or partner:<uuid>.':
    'Баланс RCP, на который зачисляется платёж: client:<uuid> или partner:<uuid>.',
  'RCP reference': 'Номер в RCP',
  'Pushed at': 'Передан в',
  Why: 'Причина',
  'Payment amount when pushed': 'Сумма платежа при передаче',
  'Payment company when pushed': 'Компания платежа при передаче',
  'Payment date when pushed': 'Дата платежа при передаче',
  'Payment state when pushed': 'Состояние платежа при передаче',
  Resolution: 'Решение',
  'RCP has it': 'В RCP он есть',
  'RCP does not have it': 'В RCP его нет',
  'Resolved by': 'Кем решено',
  'Resolved at': 'Когда решено',
  'RCP calls (technical)': 'Вызовы RCP (технические)',
  'Every call to RCP for this payment: card, amount, state, RCP payment id (JSON, written by the connector).':
    'Все вызовы RCP по этому платежу: карточка, сумма, состояние, ID платежа в RCP (JSON, пишет коннектор).',
  'RCP cards credited': 'Зачислено на карточки RCP',
  'Payment now': 'Платёж сейчас',
  'Difference to settle': 'Разница к урегулированию',
  'The payment now minus what RCP is recorded to hold for it.':
    'Платёж сейчас минус то, что, по записям, RCP по нему получил.',
  'What to review': 'Что проверить',
  'Answer from RCP lost': 'Ответ RCP потерян',
  'Choose the RCP card': 'Выберите карточку RCP',
  'Changed after its push: send the difference': 'Изменён после передачи: отправить разницу',
  'Changed after its push: take back in RCP': 'Изменён после передачи: сторнировать в RCP',
  'What settles it (technical)': 'Чем урегулируется (техническое)',
  Decision: 'Решение бухгалтера',
  'Send the difference': 'Отправить разницу',
  'Taken back in RCP': 'Сторнировано в RCP',
  "The company's RCP cards": 'Карточки RCP компании',
  Key: 'Ключ',
  'Held by': 'Владелец',
  'Expires at': 'Истекает в',
  'Queue job': 'Задание очереди',
  Host: 'Хост',
  'Process id': 'ID процесса',
  'Last heartbeat': 'Последний сигнал',
  'Invoice as the connector wrote it': 'Счёт в том виде, как его записал коннектор',
  'Chatter note': 'Заметка в обсуждении',
  'The company the run works in: the one it was requested in.':
    'Компания, в которой работает запуск: та, в которой он запрошен.',
  'RCP: claim a run': 'RCP: взять запуск в работу',
  Cancel: 'Отменить',
  'RCP: apply counterparty links': 'RCP: применить связи контрагентов',
  'Accept suggestion': 'Принять предложение',
  'RCP: write the payments ledger': 'RCP: запись в журнал платежей',
  'RCP: install database guards': 'RCP: установить защиты базы данных',
  'RCP: write the workspace in another language': 'RCP: записать рабочее место на другом языке',
  'RCP: show the groups in Settings → Users': 'RCP: показать группы в Настройки → Пользователи',
  'RCP: claim keys': 'RCP: захватить ключи',
  'RCP: release keys': 'RCP: освободить ключи',
  'RCP: which drafts were edited': 'RCP: какие черновики изменены',
  'RCP: rewrite a draft unless edited': 'RCP: перезаписать черновик, если он не изменён',
  'RCP: mark drafts and keep one note each': 'RCP: отметить черновики, по одной заметке на каждый',
  'RCP: write a correction of a posted invoice': 'RCP: записать корректировку проведённого счёта',
  'Credit this card': 'Зачислить на эту карточку',
  'In RCP': 'В RCP',
  'In Odoo': 'В Odoo',
  Partners: 'Партнёры',
  Clients: 'Клиенты',
  'Cancel this run before a worker takes it?': 'Отменить этот запуск, пока обработчик его не взял?',
  'What to run': 'Что запустить',
  Progress: 'Ход выполнения',
  'Counts, then each failed record with its reason, appear here when the run ends.':
    'Когда запуск завершится, здесь появятся итоги и каждая запись с ошибкой с её причиной.',
  'Requested or running': 'Запрошены или выполняются',
  'With failed records': 'С ошибками в записях',
  Total: 'Итого',
  'RCP did receive this payment (you checked its balance): mark it pushed?':
    'RCP получил этот платёж (вы проверили баланс): отметить как переданный?',
  'RCP did not receive this payment: the next push sends it. Continue?':
    'RCP не получил этот платёж: следующая передача отправит его. Продолжить?',
  'The next push sends RCP exactly the difference stated in the review, once. Continue?':
    'Следующая передача один раз отправит в RCP ровно разницу, указанную в проверке. Продолжить?',
  'Send the correction to RCP': 'Отправить корректировку в RCP',
  'The next push sends RCP the negative balance correction stated in the review, once. Continue?':
    'Следующая передача один раз отправит в RCP отрицательную корректировку баланса, указанную в проверке. Продолжить?',
  'You took back in RCP, by hand, the amount stated in the review: record it?':
    'Вы вручную сторнировали в RCP сумму, указанную в проверке: записать это?',
  RCP: 'RCP',
  Review: 'Проверка',
  'Choose the RCP card this payment credits': 'Выберите карточку RCP, на которую зачисляется этот платёж',
  'As pushed': 'При передаче',
  Runs: 'Запуски',
  Counterparties: 'Контрагенты',
  Usage: 'Потребление',
  'Payments to RCP': 'Платежи в RCP',
  'Signs the RCP invoices for payment and VAT invoices as chief accountant.':
    'Подписывает счета на оплату и счета-фактуры RCP как главный бухгалтер.',
  'The date of that contract.': 'Дата этого договора.',
  "The bank's correspondent account (20 digits), printed on the RCP invoice for payment.":
    'Корреспондентский счёт банка (20 цифр), печатается в счёте на оплату RCP.',
  'The invoice total in Russian words, computed from the invoice itself on every read (RCP documents).':
    'Сумма счёта прописью, вычисляется по самому счёту при каждом чтении (документы RCP).',
  'How the RCP documents print this line (computed from the invoice on every read).':
    'Как документы RCP печатают эту строку (вычисляется по счёту при каждом чтении).',
  User: 'Пользователь',
  Manager: 'Руководитель',
  'Any day of the month: a month that is over (the current one only with "Open month").':
    'Любой день месяца: месяц, который уже закончился (текущий — только с «Открытый месяц»).',
  'Open month': 'Открытый месяц',
  'Invoice the current month before it is over: a provisional, short draft (RCP / Manager only).':
    'Выставить счёт за текущий месяц до его окончания: предварительный, неполный черновик (только RCP / Руководитель).',
  'Rewrite edited drafts': 'Перезаписать изменённые черновики',
  'Also rewrite draft invoices an accountant changed in Odoo since the connector wrote them: their edits are lost (RCP / Manager only).':
    'Перезаписать и черновики счетов, которые бухгалтер изменил в Odoo после коннектора: эти правки будут потеряны (только RCP / Руководитель).',
  'Request checked': 'Запрос проверен',
  'Set when a request passed the checks the worker makes: what it would refuse cannot be saved.':
    'Отмечается, когда запрос прошёл проверки обработчика: то, что он отклонит, сохранить нельзя.',
  'RCP: check a requested run': 'RCP: проверить запрошенный запуск',
  'Drafts an accountant changed in Odoo since the connector wrote them will be rewritten, and those edits lost. Continue?':
    'Черновики, которые бухгалтер изменил в Odoo после коннектора, будут перезаписаны, а эти правки потеряны. Продолжить?',
  'a month is needed as YYYY-MM (got "%(got)s")': 'нужен месяц в виде ГГГГ-ММ (указано «%(got)s»)',
  '%(period)s is not over yet (today is %(today)s in %(zone)s): its usage is still growing, and an invoice now would be short. Invoice it once the month is over, or add --allow-open-period (in RCP → Runs: "Open month", RCP / Manager) for a provisional draft.':
    '%(period)s ещё не закончился (сегодня %(today)s, часовой пояс %(zone)s): потребление ещё растёт, и счёт сейчас будет неполным. Выставьте счёт после окончания месяца или добавьте --allow-open-period (в RCP → Запуски: «Открытый месяц», RCP / Руководитель) для предварительного черновика.',
  '%(period)s has not begun (today is %(today)s in %(zone)s): its usage is not there, and an invoice now would be short. Invoice it once the month is over, or add --allow-open-period (in RCP → Runs: "Open month", RCP / Manager) for a provisional draft.':
    '%(period)s ещё не начался (сегодня %(today)s, часовой пояс %(zone)s): потребления ещё нет, и счёт сейчас будет неполным. Выставьте счёт после окончания месяца или добавьте --allow-open-period (в RCP → Запуски: «Открытый месяц», RCP / Руководитель) для предварительного черновика.',
  '"%(option)s" is for RCP / Manager only': '«%(option)s» — только для RCP / Руководитель',
  '"%(option)s" applies to invoice runs only': '«%(option)s» — только для запусков выставления счетов',
  Sync: 'Синхронизация',
  Corrections: 'Корректировки',
  'Payments push': 'Передача платежей',
  Reconcile: 'Сверка',
  '(dry run)': '(пробный)',
  // Results as records, Retry failed, the requester's notification (issue 29, part B).
  'RCP run: failed record': 'Запуск RCP: ошибочная запись',
  Record: 'Запись',
  Created: 'Создано',
  Updated: 'Обновлено',
  Unchanged: 'Без изменений',
  'Retry of': 'Повтор запуска',
  'Only these RCP records': 'Только эти записи RCP',
  'The RCP ids (one a line) a Retry failed run works on; empty: all.':
    'Идентификаторы RCP (по одному в строке), которые обрабатывает повтор ошибочных записей; пусто — все.',
  'Retry failed': 'Повторить ошибочные',
  'Request a new run for just the failed records of this one?':
    'Запросить новый запуск только для записей с ошибками этого запуска?',
  Counts: 'Итоги',
  'Retry failed is offered for invoice and corrections runs. Run this kind again instead: a sync reads RCP whole and leaves unchanged records as they are, a payments push takes every payment RCP does not have yet, a reconcile only compares.':
    'Повтор ошибочных записей доступен для запусков счетов и корректировок. Запустите этот вид заново: синхронизация читает RCP целиком и не трогает неизменённые записи, отправка платежей берёт все платежи, которых ещё нет в RCP, сверка только сравнивает.',
  'RCP: finish a run': 'RCP: завершить запуск',
  'RCP: raise a run’s progress': 'RCP: обновить ход выполнения запуска',
  done: 'выполнен',
  'done with failures': 'выполнен с ошибками',
  failed: 'завершился ошибкой',
  'no record failed': 'ошибок нет',
  '{n} record(s) failed': 'записей с ошибками: {n}',
  'RCP: refuse to print a document for this record': 'RCP: отказ в печати документа для этой записи',
  '{created} created, {updated} updated, {unchanged} unchanged':
    'создано {created}, обновлено {updated}, без изменений {unchanged}',
  'Choose a run to retry.': 'Выберите запуск для повтора.',
  'Only a finished run can be retried: {run} is {state}.':
    'Повторить можно только завершённый запуск: {run} в состоянии «{state}».',
  'This run has no failed record with an RCP id to retry: request a new run instead.':
    'У этого запуска нет ошибочных записей с идентификатором RCP для повтора: запросите новый запуск.',
};
