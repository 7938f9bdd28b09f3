/**
 * Pinpad response codes (three digits) as Humo and UzCard terminals return them, with their meaning
 * for the integrator (en) and the cashier (ru, uz). Codes and their meanings: the public FiscalBox API documentation;
 * the Uzbek (Latin) readings are PayBridge's own.
 */
export const PINPAD_CODES: Readonly<Record<string, { en: string; ru: string; uz: string }>> = {
  '000': { en: 'Successful', ru: 'Успешно', uz: 'Muvaffaqiyatli' },
  '001': { en: 'Successful with MCC from list', ru: 'Успешно с МСС из списка 7995, 7511, 6051, 6010, 4829', uz: 'Roʻyxatdagi MCC bilan muvaffaqiyatli' },
  '003': { en: 'Transaction successful', ru: 'Успешная транзакция', uz: 'Tranzaksiya muvaffaqiyatli' },
  '005': { en: 'System error', ru: 'Системная ошибка', uz: 'Tizim xatosi' },
  '006': { en: 'Card input or transaction declined', ru: 'Отказ ввода карты / операции', uz: 'Karta kiritish yoki operatsiya rad etildi' },
  '020': { en: 'Success (with negative balance)', ru: 'Успешно (отрицательный баланс)', uz: 'Muvaffaqiyatli (manfiy balans)' },
  '095': { en: 'Reconcile error', ru: 'Ошибка сверки итогов', uz: 'Yakunlarni solishtirish xatosi' },
  '100': { en: 'Transaction not approved', ru: 'Транзакция не одобрена', uz: 'Tranzaksiya maʼqullanmadi' },
  '101': { en: 'Card expired', ru: 'Карта просрочена', uz: 'Karta muddati oʻtgan' },
  '103': { en: 'Call issuer', ru: 'Необходим звонок эмитенту', uz: 'Emitentga qoʻngʻiroq qiling' },
  '104': { en: 'Card restricted', ru: 'Карта ограничена', uz: 'Karta cheklangan' },
  '105': { en: 'Call security', ru: 'Вызовите охрану', uz: 'Qoʻriqlashni chaqiring' },
  '106': { en: 'Multiple PIN errors', ru: 'Многократная ошибка ПИН', uz: 'PIN-kod koʻp marta notoʻgʻri kiritildi' },
  '107': { en: 'Call issuer', ru: 'Необходим звонок эмитенту', uz: 'Emitentga qoʻngʻiroq qiling' },
  '109': { en: 'Invalid merchant ID', ru: 'Неверный ID торговца', uz: 'Savdogar ID raqami notoʻgʻri' },
  '110': { en: 'Cannot process amount', ru: 'Невозможно обработать сумму', uz: 'Summani qayta ishlab boʻlmaydi' },
  '111': { en: 'Invalid account', ru: 'Неверный счет', uz: 'Hisob notoʻgʻri' },
  '116': { en: 'Insufficient funds', ru: 'Недостаточно средств', uz: 'Mablagʻ yetarli emas' },
  '117': { en: 'Invalid PIN', ru: 'Неверный ПИН', uz: 'PIN-kod notoʻgʻri' },
  '118': { en: 'Bank declined', ru: 'Запрос отклонен банком', uz: 'Bank soʻrovni rad etdi' },
  '119': { en: 'Illegal transaction', ru: 'Транзакция противозаконна', uz: 'Tranzaksiya qonunga zid' },
  '120': { en: 'Not permitted', ru: 'Не разрешена', uz: 'Ruxsat etilmagan' },
  '121': { en: 'Cash limit exceeded', ru: 'Превышен лимит наличных', uz: 'Naqd pul limiti oshib ketdi' },
  '123': { en: 'Cyclic limit exceeded', ru: 'Циклический лимит исчерпан', uz: 'Davriy limit tugadi' },
  '125': { en: 'Bad card', ru: 'Плохая карта', uz: 'Yaroqsiz karta' },
  '126': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН', uz: 'PIN-kodni qayta ishlash xatosi' },
  '127': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН', uz: 'PIN-kodni qayta ishlash xatosi' },
  '128': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН', uz: 'PIN-kodni qayta ishlash xatosi' },
  '200': { en: 'Damaged card', ru: 'Испорченная карта', uz: 'Shikastlangan karta' },
  '201': { en: 'Receipt number needed / Card expired', ru: 'Необходим номер чека / карта просрочена', uz: 'Chek raqami kerak / karta muddati oʻtgan' },
  '202': { en: 'Transaction not found', ru: 'Транзакция не найдена', uz: 'Tranzaksiya topilmadi' },
  '203': { en: 'Amount input declined / Call security', ru: 'Отказ ввода суммы / вызовите охрану', uz: 'Summa kiritish rad etildi / qoʻriqlashni chaqiring' },
  '204': { en: 'Account blocked', ru: 'Счет заблокирован', uz: 'Hisob bloklangan' },
  '205': { en: 'Reference input declined / Call security', ru: 'Отказ ввода ссылки / вызовите охрану', uz: 'Havola kiritish rad etildi / qoʻriqlashni chaqiring' },
  '206': { en: 'Cancellation not confirmed', ru: 'Отказ от подтверждения отмены', uz: 'Bekor qilish tasdiqlanmadi' },
  '207': { en: 'Invalid auth code', ru: 'Неверный код авторизации', uz: 'Avtorizatsiya kodi notoʻgʻri' },
  '208': { en: 'CVV2 input declined', ru: 'Отказ ввода CVV2', uz: 'CVV2 kiritish rad etildi' },
  '209': { en: 'Stolen card', ru: 'Карта украдена', uz: 'Karta oʻgʻirlangan' },
  '210': { en: 'No next receipt', ru: 'Следующего чека нет', uz: 'Keyingi chek yoʻq' },
  '211': { en: 'PIN entry declined', ru: 'Отказ ввода пин-кода', uz: 'PIN-kod kiritish rad etildi' },
  '212': { en: 'Operation cancelled by cashier', ru: 'Отмена операции кассой', uz: 'Operatsiya kassa tomonidan bekor qilindi' },
  '213': { en: 'Merchant card read error', ru: 'Отказ чтения карты коммерсанта', uz: 'Savdogar kartasini oʻqib boʻlmadi' },
  '214': { en: 'Invalid manual input', ru: 'Неверный ручной ввод', uz: 'Qoʻlda kiritish notoʻgʻri' },
  '215': { en: 'Card type input declined', ru: 'Отказ ввода типа карты', uz: 'Karta turini kiritish rad etildi' },
  '216': { en: 'Operation selection declined', ru: 'Отказ выбора операции', uz: 'Operatsiyani tanlash rad etildi' },
  '217': { en: 'Foreign card cancellation', ru: 'Отмена по чужой карте', uz: 'Boshqa karta boʻyicha bekor qilish' },
  '218': { en: 'Operation already cancelled', ru: 'Операция уже отменена', uz: 'Operatsiya allaqachon bekor qilingan' },
  '222': { en: 'Track2 / transaction search error', ru: 'Ошибка Track2 / Поиск транзакции', uz: 'Track2 xatosi / tranzaksiyani qidirish' },
  '230': { en: 'Amex auth code declined', ru: 'Отказ ввода кода авторизации (Amex)', uz: 'Avtorizatsiya kodini kiritish rad etildi (Amex)' },
  '233': { en: 'Card not read', ru: 'Карта не прочитана', uz: 'Karta oʻqilmadi' },
  '234': { en: 'Chip read error', ru: 'Ошибка чтения чипа', uz: 'Chipni oʻqish xatosi' },
  '235': { en: 'Original transaction amount exceeded', ru: 'Превышена сумма оригинальной операции', uz: 'Asl operatsiya summasi oshib ketdi' },
  '240': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)', uz: 'TMS (ARCUS) xatolari' },
  '241': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)', uz: 'TMS (ARCUS) xatolari' },
  '242': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)', uz: 'TMS (ARCUS) xatolari' },
  '243': { en: 'TMS (ARCUS) errors', ru: 'Ошибки TMS (ARCUS)', uz: 'TMS (ARCUS) xatolari' },
  '250': { en: 'Card removed too early', ru: 'Карта извлечена до окончания', uz: 'Karta vaqtidan oldin olindi' },
  '301': { en: 'Terminal ID not set', ru: 'Не задан ID терминала', uz: 'Terminal ID raqami berilmagan' },
  '302': { en: 'Cannot cancel operation', ru: 'Невозможно отменить операцию', uz: 'Operatsiyani bekor qilib boʻlmaydi' },
  '303': { en: 'Journal overflow (close shift required)', ru: 'Журнал переполнен', uz: 'Jurnal toʻlgan (smenani yoping)' },
  '304': { en: 'Currency not supported', ru: 'Валюта не поддерживается', uz: 'Valyuta qoʻllab-quvvatlanmaydi' },
  '305': { en: 'Card not accepted', ru: 'Карта не обслуживается', uz: 'Karta xizmat koʻrsatilmaydi' },
  '320': { en: 'Signature declined', ru: 'Отказ от подписи', uz: 'Imzodan voz kechildi' },
  '321': { en: 'Amount too large', ru: 'Слишком большая сумма', uz: 'Summa juda katta' },
  '401': { en: 'Merchant card read error', ru: 'Ошибка чтения карты мерчанта', uz: 'Merchant kartasini oʻqish xatosi' },
  '402': { en: 'Communication/config error', ru: 'Ошибка связи / конфигурации', uz: 'Aloqa / sozlash xatosi' },
  '403': { en: 'Communication/config error', ru: 'Ошибка связи / конфигурации', uz: 'Aloqa / sozlash xatosi' },
  '404': { en: 'Invalid host response', ru: 'Неверный формат ответа', uz: 'Javob formati notoʻgʻri' },
  '405': { en: 'No pending transactions', ru: 'Нет отложенных операций', uz: 'Kechiktirilgan operatsiyalar yoʻq' },
  '410': { en: 'Key load error', ru: 'Ошибка загрузки ключей', uz: 'Kalitlarni yuklash xatosi' },
  '411': { en: 'Card read timeout', ru: 'Таймаут чтения карты', uz: 'Kartani oʻqish vaqti tugadi' },
  '902': { en: 'Invalid operation', ru: 'Неверная операция', uz: 'Operatsiya notoʻgʻri' },
  '903': { en: 'Retry transaction', ru: 'Повторите транзакцию', uz: 'Tranzaksiyani takrorlang' },
  '904': { en: 'Invalid message format', ru: 'Неверный формат сообщения', uz: 'Xabar formati notoʻgʻri' },
  '905': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ', uz: 'Emitent ishlamayapti / rad etildi' },
  '906': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ', uz: 'Emitent ishlamayapti / rad etildi' },
  '907': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ', uz: 'Emitent ishlamayapti / rad etildi' },
  '908': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ', uz: 'Emitent ishlamayapti / rad etildi' },
  '909': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ', uz: 'Emitent ishlamayapti / rad etildi' },
  '910': { en: 'Issuer error / system failure', ru: 'Эмитент не работает / отказ', uz: 'Emitent ishlamayapti / rad etildi' },
  '911': { en: "SmartVista doesn't know how to handle", ru: 'Неизвестная транзакция (SmartVista)', uz: 'Nomaʼlum tranzaksiya (SmartVista)' },
  '912': { en: 'Timeout', ru: 'Таймаут ответа', uz: 'Javob kutish vaqti tugadi' },
  '913': { en: 'Duplicate transaction', ru: 'Дубликат транзакции', uz: 'Takroriy tranzaksiya' },
  '914': { en: 'Original transaction not found', ru: 'Оригинальная транзакция не найдена', uz: 'Asl tranzaksiya topilmadi' },
  '915': { en: 'Cancel amount > original', ru: 'Сумма отмены больше оригинала', uz: 'Bekor qilish summasi asl summadan katta' },
  '916': { en: 'Debt not found', ru: 'Долг не найден', uz: 'Qarz topilmadi' },
  '920': { en: 'PIN processing error', ru: 'Ошибка обработки ПИН', uz: 'PIN-kodni qayta ishlash xatosi' },
  '923': { en: 'Request in progress', ru: 'Запрос обрабатывается', uz: 'Soʻrov bajarilmoqda' },
  '940': { en: 'Remove card', ru: 'Заберите карту', uz: 'Kartani oling' },
  '941': { en: 'No operation list set', ru: 'Не задан список операций', uz: 'Operatsiyalar roʻyxati berilmagan' },
  '984': { en: 'PIN pad busy', ru: 'ПИН-ПАД занят', uz: 'PIN-pad band' },
  '985': { en: 'MIFARE direct error', ru: 'Ошибка MIFARE DIRECT', uz: 'MIFARE DIRECT xatosi' },
  '987': { en: 'Card read timeout', ru: 'Таймаут чтения карты', uz: 'Kartani oʻqish vaqti tugadi' },
  '988': { en: 'Format error / slip memory full', ru: 'Ошибка формата / память слипов переполнена', uz: 'Format xatosi / slip xotirasi toʻlgan' },
  '989': { en: 'Track2 read error', ru: 'Ошибка Track2', uz: 'Track2 xatosi' },
  '990': { en: 'Card/operation declined', ru: 'Отказ ввода карты / проведения', uz: 'Karta kiritish / operatsiya rad etildi' },
  '991': { en: 'Invalid Expiry Date', ru: 'Неверная Expiration Date', uz: 'Amal qilish muddati notoʻgʻri' },
  '992': { en: 'Operation aborted', ru: 'Операция прервана клиентом/кассиром', uz: 'Operatsiya mijoz yoki kassir tomonidan toʻxtatildi' },
  '996': { en: 'Invalid request format', ru: 'Неверный формат запроса', uz: 'Soʻrov formati notoʻgʻri' },
  '998': { en: 'Communication error, call bank', ru: 'Ошибка связи, позвоните в банк', uz: 'Aloqa xatosi, bankka qoʻngʻiroq qiling' },
  '999': { en: 'No connection with PIN pad', ru: 'Нет связи с ПИН-ПАДом', uz: 'PIN-pad bilan aloqa yoʻq' },
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

const UNKNOWN_CODE = { ru: 'Код ответа', uz: 'Javob kodi', en: 'Response code' } as const;

/** The cashier's reading of a code, in the cashier's language. */
export function cashierText(code: string, language: 'ru' | 'uz' | 'en' = 'ru'): string {
  return PINPAD_CODES[code]?.[language] ?? `${UNKNOWN_CODE[language]} ${code}`;
}
