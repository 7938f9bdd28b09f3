/**
 * Pinpad response codes (three digits) as Humo and UzCard terminals return them, with their meaning
 * for the integrator (en) and the cashier (ru). Facts from the public FiscalBox API documentation.
 */
export const PINPAD_CODES: Readonly<Record<string, { en: string; ru: string }>> = {
  '000': { en: 'Successful', ru: 'Успешно' },
  '001': { en: 'Successful with MCC from list', ru: 'Успешно с МСС из списка 7995, 7511, 6051, 6010, 4829' },
  '003': { en: 'Transaction successful', ru: 'Успешная транзакция' },
  '005': { en: 'System error', ru: 'Системная ошибка' },
  '006': { en: 'Card input or transaction declined', ru: 'Отказ ввода карты / операции' },
  '020': { en: 'Success (with negative balance)', ru: 'Успешно (отрицательный баланс)' },
  '095': { en: 'Reconcile error', ru: 'Ошибка сверки итогов' },
  '100': { en: 'Transaction not approved', ru: 'Транзакция не одобрена' },
  '101': { en: 'Card expired', ru: 'Карта просрочена' },
  '103': { en: 'Call issuer', ru: 'Необходим звонок эмитенту' },
  '104': { en: 'Card restricted', ru: 'Карта ограничена' },
  '105': { en: 'Call security', ru: 'Вызовите охрану' },
  '106': { en: 'Multiple PIN errors', ru: 'Многократная ошибка ПИН' },
  '107': { en: 'Call issuer', ru: 'Необходим звонок эмитенту' },
  '109': { en: 'Invalid merchant ID', ru: 'Неверный ID торговца' },
  '110': { en: 'Cannot process amount', ru: 'Невозможно обработать сумму' },
  '111': { en: 'Invalid account', ru: 'Неверный счет' },
  '116': { en: 'Insufficient funds', ru: 'Недостаточно средств' },
  '117': { en: 'Invalid PIN', ru: 'Неверный ПИН' },
  '118': { en: 'Bank declined', ru: 'Запрос отклонен банком' },
  '119': { en: 'Illegal transaction', ru: 'Транзакция противозаконна' },
  '120': { en: 'Not permitted', ru: 'Не разрешена' },
  '121': { en: 'Cash limit exceeded', ru: 'Превышен лимит наличных' },
  '123': { en: 'Cyclic limit exceeded', ru: 'Циклический лимит исчерпан' },
  '125': { en: 'Bad card', ru: 'Плохая карта' },
  '126': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН' },
  '127': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН' },
  '128': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН' },
  '200': { en: 'Damaged card', ru: 'Испорченная карта' },
  '201': { en: 'Receipt number needed / Card expired', ru: 'Необходим номер чека / карта просрочена' },
  '202': { en: 'Transaction not found', ru: 'Транзакция не найдена' },
  '203': { en: 'Amount input declined / Call security', ru: 'Отказ ввода суммы / вызовите охрану' },
  '204': { en: 'Account blocked', ru: 'Счет заблокирован' },
  '205': { en: 'Reference input declined / Call security', ru: 'Отказ ввода ссылки / вызовите охрану' },
  '206': { en: 'Cancellation not confirmed', ru: 'Отказ от подтверждения отмены' },
  '207': { en: 'Invalid auth code', ru: 'Неверный код авторизации' },
  '208': { en: 'CVV2 input declined', ru: 'Отказ ввода CVV2' },
  '209': { en: 'Stolen card', ru: 'Карта украдена' },
  '210': { en: 'No next receipt', ru: 'Следующего чека нет' },
  '211': { en: 'PIN entry declined', ru: 'Отказ ввода пин-кода' },
  '212': { en: 'Operation cancelled by cashier', ru: 'Отмена операции кассой' },
  '213': { en: 'Merchant card read error', ru: 'Отказ чтения карты коммерсанта' },
  '214': { en: 'Invalid manual input', ru: 'Неверный ручной ввод' },
  '215': { en: 'Card type input declined', ru: 'Отказ ввода типа карты' },
  '216': { en: 'Operation selection declined', ru: 'Отказ выбора операции' },
  '217': { en: 'Foreign card cancellation', ru: 'Отмена по чужой карте' },
  '218': { en: 'Operation already cancelled', ru: 'Операция уже отменена' },
  '222': { en: 'Track2 / transaction search error', ru: 'Ошибка Track2 / Поиск транзакции' },
  '230': { en: 'Amex auth code declined', ru: 'Отказ ввода кода авторизации (Amex)' },
  '233': { en: 'Card not read', ru: 'Карта не прочитана' },
  '234': { en: 'Chip read error', ru: 'Ошибка чтения чипа' },
  '235': { en: 'Original transaction amount exceeded', ru: 'Превышена сумма оригинальной операции' },
  '240': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)' },
  '241': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)' },
  '242': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)' },
  '243': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)' },
  '250': { en: 'Card removed too early', ru: 'Карта извлечена до окончания' },
  '301': { en: 'Terminal ID not set', ru: 'Не задан ID терминала' },
  '302': { en: 'Cannot cancel operation', ru: 'Невозможно отменить операцию' },
  '303': { en: 'Journal overflow (close shift required)', ru: 'Журнал переполнен' },
  '304': { en: 'Currency not supported', ru: 'Валюта не поддерживается' },
  '305': { en: 'Card not accepted', ru: 'Карта не обслуживается' },
  '320': { en: 'Signature declined', ru: 'Отказ от подписи' },
  '321': { en: 'Amount too large', ru: 'Слишком большая сумма' },
  '401': { en: 'Merchant card read error', ru: 'Ошибка чтения карты мерчанта' },
  '402': { en: 'Communication/config error', ru: 'Ошибка связи / конфигурации' },
  '403': { en: 'Communication/config error', ru: 'Ошибка связи / конфигурации' },
  '404': { en: 'Invalid host response', ru: 'Неверный формат ответа' },
  '405': { en: 'No pending transactions', ru: 'Нет отложенных операций' },
  '410': { en: 'Key load error', ru: 'Ошибка загрузки ключей' },
  '411': { en: 'Card read timeout', ru: 'Таймаут чтения карты' },
  '902': { en: 'Invalid operation', ru: 'Неверная операция' },
  '903': { en: 'Retry transaction', ru: 'Повторите транзакцию' },
  '904': { en: 'Invalid message format', ru: 'Неверный формат сообщения' },
  '905': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ' },
  '906': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ' },
  '907': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ' },
  '908': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ' },
  '909': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ' },
  '910': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ' },
  '911': { en: "SmartVista doesn't know how to handle", ru: 'Неизвестная транзакция (SmartVista)' },
  '912': { en: 'Timeout', ru: 'Таймаут ответа' },
  '913': { en: 'Duplicate transaction', ru: 'Дубликат транзакции' },
  '914': { en: 'Original transaction not found', ru: 'Оригинальная транзакция не найдена' },
  '915': { en: 'Cancel amount > original', ru: 'Сумма отмены больше оригинала' },
  '916': { en: 'Debt not found', ru: 'Долг не найден' },
  '920': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН' },
  '923': { en: 'Request in progress', ru: 'Запрос обрабатывается' },
  '940': { en: 'Remove card', ru: 'Заберите карту' },
  '941': { en: 'No operation list set', ru: 'Не задан список операций' },
  '984': { en: 'PIN pad busy', ru: 'ПИН-ПАД занят' },
  '985': { en: 'MIFARE direct error', ru: 'Ошибка MIFARE DIRECT' },
  '987': { en: 'Card read timeout', ru: 'Таймаут чтения карты' },
  '988': { en: 'Format error / slip memory full', ru: 'Ошибка формата / память слипов переполнена' },
  '989': { en: 'Track2 read error', ru: 'Ошибка Track2' },
  '990': { en: 'Card/operation declined', ru: 'Отказ ввода карты / проведения' },
  '991': { en: 'Invalid Expiry Date', ru: 'Неверная Expiration Date' },
  '992': { en: 'Operation aborted', ru: 'Операция прервана клиентом/кассиром' },
  '996': { en: 'Invalid request format', ru: 'Неверный формат запроса' },
  '998': { en: 'Communication error, call bank', ru: 'Ошибка связи, позвоните в банк' },
  '999': { en: 'No connection with PIN pad', ru: 'Нет связи с ПИН-ПАДом' },
};

export type CodeClass = 'approved' | 'busy' | 'unknown' | 'declined';

const APPROVED = new Set(['000', '001', '003', '020']);
/** The request may have reached the pinpad and nothing definite came back. */
const UNKNOWN = new Set(['912', '923', '998', '999']);

/** How PayBridge treats a code: `400` is an approval only as the answer to a cancel. */
export function classifyCode(code: string, operation: 'purchase' | 'cancel' | 'refund' | 'close' | 'report'): CodeClass {
  if (APPROVED.has(code) || (code === '400' && operation === 'cancel')) return 'approved';
  if (code === '984') return 'busy';
  if (UNKNOWN.has(code)) return 'unknown';
  return 'declined';
}

/** "116 Insufficient funds" — the code with its meaning, for `error.data`. */
export function describeCode(code: string): string {
  const known = PINPAD_CODES[code];
  return known ? `${code} ${known.en}` : `${code} unknown response code`;
}

/** The cashier's reading of a code. */
export function cashierText(code: string): string {
  return PINPAD_CODES[code]?.ru ?? `Код ответа ${code}`;
}
