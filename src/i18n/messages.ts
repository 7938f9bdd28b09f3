import type { Language } from './language.js';

/**
 * Every sentence PayBridge says to a cashier, in the three languages of the shop floor. `{name}`
 * marks a parameter. Short, and each says what happened and what to do next.
 */
export const MESSAGES = {
  invalid_request: {
    ru: 'Касса отправила неверный запрос ({fields}). Ничего не выполнено; сообщите администратору кассы.',
    uz: 'Kassa notoʻgʻri soʻrov yubordi ({fields}). Hech narsa bajarilmadi; kassa administratoriga xabar bering.',
    en: 'The till sent an invalid request ({fields}). Nothing was done; tell the till’s administrator.',
  },
  internal: {
    ru: 'Внутренняя ошибка PayBridge. Проверьте платёж в журнале, прежде чем проводить его снова.',
    uz: 'PayBridge ichki xatosi. Toʻlovni qayta oʻtkazishdan oldin uni jurnalda tekshiring.',
    en: 'PayBridge failed internally. Look the payment up in the journal before taking it again.',
  },
  journal_unavailable: {
    ru: 'Журнал платежей недоступен, поэтому платёж не начат и деньги не списаны. Повторите позже или примите оплату иначе.',
    uz: 'Toʻlovlar jurnali mavjud emas, shuning uchun toʻlov boshlanmadi va pul yechilmadi. Keyinroq qayta urining yoki boshqa usulda qabul qiling.',
    en: 'The payment journal cannot be written, so no payment was started and nothing was charged. Try again later or take the payment another way.',
  },
  unauthorized_missing: {
    ru: 'Нужен ключ доступа к PayBridge (заголовок Authorization: Bearer).',
    uz: 'PayBridge kirish kaliti kerak (Authorization: Bearer sarlavhasi).',
    en: 'PayBridge needs an access token (Authorization: Bearer header).',
  },
  unauthorized_wrong: {
    ru: 'Ключ доступа к PayBridge неверен.',
    uz: 'PayBridge kirish kaliti notoʻgʻri.',
    en: 'The PayBridge access token is wrong.',
  },
  method_not_configured: {
    ru: 'Оплата через {method} не подключена в этом PayBridge.',
    uz: '{method} orqali toʻlov ushbu PayBridge’da ulanmagan.',
    en: '{method} is not configured on this PayBridge.',
  },
  provider_unpublished: {
    ru: '{method} не подключён к этому PayBridge: опубликованной спецификации API {method} нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом.',
    uz: '{method} ushbu PayBridge’ga ulanmagan: {method} API’ning eʼlon qilingan spetsifikatsiyasi yoʻq. Hech narsa yuborilmadi va hech narsa oʻzgarmadi; toʻlovni boshqa usulda qabul qiling.',
    en: '{method} is not connected to this PayBridge: no published specification of the {method} API exists to connect it by. Nothing was sent and nothing changed; take the payment another way.',
  },
  provider_declined: {
    ru: 'Платёжная система не приняла платёж; деньги не списаны.',
    uz: 'Toʻlov tizimi toʻlovni qabul qilmadi; pul yechilmadi.',
    en: 'The provider did not take the payment; nothing was charged.',
  },
  give_back_declined: {
    ru: 'Платёжная система отказала в возврате; по этому запросу деньги не возвращены.',
    uz: 'Toʻlov tizimi pulni qaytarishni rad etdi; bu soʻrov boʻyicha pul qaytarilmadi.',
    en: 'The provider refused to give the money back; nothing was given back by this request.',
  },
  card_declined_payment: {
    ru: 'Терминал не провёл оплату; деньги не списаны.',
    uz: 'Terminal toʻlovni oʻtkazmadi; pul yechilmadi.',
    en: 'The terminal did not take the payment; nothing was charged.',
  },
  card_declined_give_back: {
    ru: 'Терминал не выполнил возврат; по этому запросу деньги на карту не вернулись.',
    uz: 'Terminal qaytarishni bajarmadi; bu soʻrov boʻyicha pul kartaga qaytmadi.',
    en: 'The terminal did not give the money back; nothing went back to the card by this request.',
  },
  // An unknown outcome. The headline (a pinpad's `message`) never hides that money may have moved;
  // the reason says what to do. The provider's own words travel apart, in `provider_said`.
  unknown_title_payment: {
    ru: 'Результат оплаты неизвестен ({pinpad}): деньги могли быть списаны с карты.',
    uz: 'Toʻlov natijasi nomaʼlum ({pinpad}): pul kartadan yechilgan boʻlishi mumkin.',
    en: 'The payment’s outcome is unknown ({pinpad}): the card may have been charged.',
  },
  unknown_title_cancel: {
    ru: 'Результат отмены неизвестен ({pinpad}): деньги могли уже вернуться на карту.',
    uz: 'Bekor qilish natijasi nomaʼlum ({pinpad}): pul kartaga qaytgan boʻlishi mumkin.',
    en: 'The cancel’s outcome is unknown ({pinpad}): the money may already be back on the card.',
  },
  unknown_title_refund: {
    ru: 'Результат возврата неизвестен ({pinpad}): деньги могли уже вернуться на карту.',
    uz: 'Qaytarish natijasi nomaʼlum ({pinpad}): pul kartaga qaytgan boʻlishi mumkin.',
    en: 'The refund’s outcome is unknown ({pinpad}): the money may already be back on the card.',
  },
  unknown_title_close: {
    ru: 'Неизвестно, закрыта ли смена ({pinpad}).',
    uz: 'Smena yopilgan-yopilmagani nomaʼlum ({pinpad}).',
    en: 'Whether the shift was closed is unknown ({pinpad}).',
  },
  unknown_do_card_payment: {
    ru: 'Не проводите платёж снова: деньги могли быть списаны. Посмотрите на экран пинпада или его чек (слип) и позовите менеджера; PayBridge продолжает проверять.',
    uz: 'Toʻlovni qayta oʻtkazmang: pul yechilgan boʻlishi mumkin. PIN-pad ekraniga yoki uning chekiga (slipga) qarang va menejerni chaqiring; PayBridge tekshirishda davom etmoqda.',
    en: 'Do not take the payment again: the money may have been charged. Look at the pinpad’s screen or its slip and call the manager; PayBridge keeps checking.',
  },
  unknown_do_card_give_back: {
    ru: 'Не повторяйте возврат: деньги могли уже вернуться на карту покупателя. Посмотрите на экран пинпада или его чек (слип) и позовите менеджера; PayBridge продолжает проверять.',
    uz: 'Qaytarishni takrorlamang: pul xaridorning kartasiga allaqachon qaytgan boʻlishi mumkin. PIN-pad ekraniga yoki uning chekiga (slipga) qarang va menejerni chaqiring; PayBridge tekshirishda davom etmoqda.',
    en: 'Do not repeat the give-back: the money may already be back on the customer’s card. Look at the pinpad’s screen or its slip and call the manager; PayBridge keeps checking.',
  },
  unknown_do_qr_payment: {
    ru: 'Не проводите платёж снова: деньги могли быть списаны. Попросите покупателя посмотреть в приложении {method}, списаны ли деньги, и позовите менеджера; PayBridge продолжает проверять.',
    uz: 'Toʻlovni qayta oʻtkazmang: pul yechilgan boʻlishi mumkin. Xaridordan {method} ilovasida pul yechilgan-yechilmaganini koʻrishni soʻrang va menejerni chaqiring; PayBridge tekshirishda davom etmoqda.',
    en: 'Do not take the payment again: the money may have been charged. Ask the customer to look in the {method} app whether it was, and call the manager; PayBridge keeps checking.',
  },
  unknown_do_qr_give_back: {
    ru: 'Не повторяйте возврат: деньги могли уже вернуться покупателю. Попросите покупателя посмотреть в приложении {method}, вернулись ли деньги, и позовите менеджера; PayBridge продолжает проверять.',
    uz: 'Qaytarishni takrorlamang: pul xaridorga allaqachon qaytgan boʻlishi mumkin. Xaridordan {method} ilovasida pul qaytgan-qaytmaganini koʻrishni soʻrang va menejerni chaqiring; PayBridge tekshirishda davom etmoqda.',
    en: 'Do not repeat the give-back: the money may already be back with the customer. Ask the customer to look in the {method} app whether it came back, and call the manager; PayBridge keeps checking.',
  },
  unknown_do_close: {
    ru: 'Не закрывайте смену снова: распечатайте на терминале последний отчёт, чтобы увидеть, закрыта ли она, и позовите менеджера.',
    uz: 'Smenani qayta yopmang: yopilgan-yopilmaganini bilish uchun terminalda oxirgi hisobotni chop eting va menejerni chaqiring.',
    en: 'Do not close the shift again: print the terminal’s last report to see whether it is closed, and call the manager.',
  },
  fiscal_refused: {
    ru: '{method} не принял фискальный чек: {text}.',
    uz: '{method} fiskal chekni qabul qilmadi: {text}.',
    en: '{method} refused the fiscal receipt: {text}.',
  },
  qr_code_used: {
    ru: 'Этот код уже оплатил платёж, который затем {status}. Для новой оплаты отсканируйте новый код.',
    uz: 'Bu kod bilan toʻlov qilingan va keyin {status}. Yangi toʻlov uchun yangi kodni skanerlang.',
    en: 'This code already paid a payment that was then {status}. Scan a new code for a new payment.',
  },
  transaction_not_found: {
    ru: 'Транзакции {id} нет в журнале.',
    uz: '{id} tranzaksiyasi jurnalda yoʻq.',
    en: 'Transaction {id} is not in the journal.',
  },
  payment_id_not_found: {
    ru: 'Платежа {id} ({method}) нет в журнале этого PayBridge.',
    uz: '{id} toʻlovi ({method}) ushbu PayBridge jurnalida yoʻq.',
    en: 'Payment {id} is not a {method} payment in this PayBridge’s journal.',
  },
  wrong_method: {
    ru: 'Платёж {id} проведён через {actual}, а не через {method}.',
    uz: '{id} toʻlovi {method} orqali emas, {actual} orqali oʻtkazilgan.',
    en: 'Payment {id} is a {actual} payment, not {method}.',
  },
  already_given_back: {
    ru: 'Платёж уже {status}; возвращать нечего.',
    uz: 'Toʻlov allaqachon {status}; qaytaradigan narsa yoʻq.',
    en: 'The payment was already {status}; nothing is left to give back.',
  },
  outcome_not_final: {
    ru: 'Результат платежа ещё не известен ({status}). Отменить его можно, когда он подтвердится.',
    uz: 'Toʻlov natijasi hali nomaʼlum ({status}). U tasdiqlangach bekor qilish mumkin.',
    en: 'The payment’s outcome is still {status}; it can be given back once it is known to have succeeded.',
  },
  not_paid: {
    ru: 'Платёж {status}: деньги не списаны, возвращать нечего.',
    uz: 'Toʻlov {status}: pul yechilmagan, qaytaradigan narsa yoʻq.',
    en: 'The payment {status}: no money was taken, nothing to give back.',
  },
  amount_over_remaining: {
    ru: 'Нельзя вернуть {amount}: из {paid} осталось только {remaining}.',
    uz: '{amount} qaytarib boʻlmaydi: {paid}dan faqat {remaining} qolgan.',
    en: 'Cannot give back {amount}: only {remaining} of the {paid} paid remain.',
  },
  give_back_reserved: {
    ru: 'Нельзя вернуть {amount}: из {paid} уже возвращаются {reserved} (результат ещё не известен), осталось {remaining}. PayBridge выясняет результат; повторять возврат не нужно.',
    uz: '{amount} qaytarib boʻlmaydi: {paid}dan {reserved} qaytarilmoqda (natija hali nomaʼlum), {remaining} qolgan. PayBridge natijani aniqlaydi; qaytarishni takrorlamang.',
    en: 'Cannot give back {amount}: {reserved} of the {paid} paid are being given back (outcome not known yet), {remaining} remain. PayBridge is finding out; do not repeat the give-back.',
  },
  partial_not_supported: {
    ru: '{method} здесь не возвращает часть платежа; отмените всю сумму {remaining}.',
    uz: '{method} bu yerda toʻlovning bir qismini qaytarmaydi; butun {remaining} summani bekor qiling.',
    en: '{method} cannot give back part of a payment here; cancel the whole {remaining}.',
  },
  card_payment_not_found: {
    ru: 'На терминале {terminal} нет платежа с номером чека или RRN {ref}.',
    uz: '{terminal} terminalida {ref} chek raqami yoki RRN bilan toʻlov yoʻq.',
    en: 'No payment with receipt number or RRN {ref} on terminal {terminal}.',
  },
  foreign_give_backs_off: {
    ru: 'В журнале PayBridge нет этого платежа. Платёж, проведённый до PayBridge (например, через FiscalBox), можно вернуть, только если в настройках {setting}: true.',
    uz: 'PayBridge jurnalida bu toʻlov yoʻq. PayBridge’dan oldin (masalan, FiscalBox orqali) oʻtkazilgan toʻlovni faqat sozlamalarda {setting}: true boʻlsa qaytarish mumkin.',
    en: 'This payment is not in PayBridge’s journal. A payment taken before PayBridge (by FiscalBox, say) can be given back only when {setting} is true in the configuration.',
  },
  rrn_not_found: {
    ru: 'RRN {rrn} — не платёж {method} в журнале этого PayBridge.',
    uz: 'RRN {rrn} ushbu PayBridge jurnalida {method} toʻlovi emas.',
    en: 'RRN {rrn} is not a {method} payment in this PayBridge’s journal.',
  },
  partly_cancelled: {
    ru: 'Платёж уже частично отменён; оформите возврат оставшейся суммы.',
    uz: 'Toʻlov qisman bekor qilingan; qolgan summani qaytarishni rasmiylashtiring.',
    en: 'The payment was already partly cancelled; make a refund for the rest.',
  },
  shift_closed: {
    ru: 'Смена {shift} терминала {terminal} закрыта, а возврата на этом терминале нет (в ops.ini): PayBridge не может вернуть этот платёж. Верните деньги через кабинет торговца банка (возврат по RRN {rrn}) или по правилам магазина; отмена работает только в смене платежа.',
    uz: '{terminal} terminalining {shift}-smenasi yopilgan, bu terminalda esa qaytarish operatsiyasi yoʻq (ops.ini): PayBridge bu toʻlovni qaytara olmaydi. Pulni bankning savdogar kabineti orqali (RRN {rrn} boʻyicha qaytarish) yoki doʻkon qoidalari boʻyicha qaytaring; bekor qilish faqat toʻlov smenasida ishlaydi.',
    en: 'Shift {shift} of terminal {terminal} is closed and this terminal has no refund operation (ops.ini): PayBridge cannot give this payment back. Give the money back through the bank’s merchant portal (refund by RRN {rrn}) or by the shop’s own rules; a cancel works only within the payment’s shift.',
  },
  no_close_report: {
    ru: 'Терминал {terminal} не печатает последний отчёт, а в журнале нет закрытой смены этого терминала.',
    uz: '{terminal} terminali oxirgi hisobotni chop etmaydi, jurnalda esa bu terminalning yopilgan smenasi yoʻq.',
    en: 'Terminal {terminal} cannot print its last report, and the journal has no closed shift of this terminal.',
  },
  no_x_report: {
    ru: 'На терминале {terminal} нет X-отчёта (промежуточного отчёта без закрытия смены): ничего не напечатано, смена не закрыта.',
    uz: '{terminal} terminalida X-hisobot (smenani yopmasdan oraliq hisobot) yoʻq: hech narsa chop etilmadi, smena yopilmadi.',
    en: 'Terminal {terminal} has no X-report (the intermediate report that leaves the shift open): nothing was printed, the shift is still open.',
  },
  x_report_unsettled: {
    ru: 'X-отчёт не напечатан: исход операции {transaction} на терминале {terminal} ещё не известен, а PayBridge узнаёт его по последнему чеку терминала, который отчёт заменил бы. Сначала выясните исход (повторная проверка в консоли или POST /payment/recovery/run).',
    uz: 'X-hisobot chop etilmadi: {terminal} terminalidagi {transaction} operatsiyasining natijasi hali nomaʼlum, PayBridge esa uni terminalning oxirgi chekidan biladi, hisobot uni almashtirib qoʻyadi. Avval natijani aniqlang (konsolda qayta tekshirish yoki POST /payment/recovery/run).',
    en: 'The X-report was not printed: the outcome of operation {transaction} on terminal {terminal} is not known yet, and PayBridge learns it from the terminal’s last slip, which the report would replace. Settle it first (settle now in the console, or POST /payment/recovery/run).',
  },
  close_unsettled: {
    ru: 'Смена не закрыта: исход операции {transaction} на терминале {terminal} ещё не известен, а PayBridge узнаёт его по последнему чеку терминала, который отчёт о закрытии заменил бы. Сначала выясните исход (повторная проверка в консоли или POST /payment/recovery/run; если терминал не может сказать — решение оператора, POST /payment/transactions/{transaction}/resolve), затем закройте смену.',
    uz: 'Smena yopilmadi: {terminal} terminalidagi {transaction} operatsiyasining natijasi hali nomaʼlum, PayBridge esa uni terminalning oxirgi chekidan biladi, yopish hisoboti uni almashtirib qoʻyadi. Avval natijani aniqlang (konsolda qayta tekshirish yoki POST /payment/recovery/run; terminal ayta olmasa — operator qarori, POST /payment/transactions/{transaction}/resolve), soʻng smenani yoping.',
    en: 'The shift was not closed: the outcome of operation {transaction} on terminal {terminal} is not known yet, and PayBridge learns it from the terminal’s last slip, which the close report would replace. Settle it first (settle now in the console, or POST /payment/recovery/run; if the terminal cannot tell, an operator decides with POST /payment/transactions/{transaction}/resolve), then close the shift.',
  },
  x_report_not_implemented: {
    ru: 'Адаптер терминала {terminal} не поддерживает X-отчёт (ответил кодом {code}): ничего не напечатано, смена не закрыта.',
    uz: '{terminal} terminali adapteri X-hisobotni qoʻllamaydi ({code} kodi bilan javob berdi): hech narsa chop etilmadi, smena yopilmadi.',
    en: 'The adapter of terminal {terminal} does not implement the X-report (it answered {code}): nothing was printed, the shift is still open.',
  },
  no_refund_operation: {
    ru: 'На терминале {terminal} нет операции возврата (в ops.ini): деньги не возвращены. В смене платежа оформите отмену; после закрытия смены — возврат по RRN {rrn} через кабинет торговца банка.',
    uz: '{terminal} terminalida qaytarish operatsiyasi yoʻq (ops.ini): pul qaytarilmadi. Toʻlov smenasida bekor qiling; smena yopilgandan keyin — bankning savdogar kabineti orqali RRN {rrn} boʻyicha qaytaring.',
    en: 'Terminal {terminal} has no refund operation (ops.ini): nothing was given back. Within the payment’s shift, cancel it; after the shift is closed, refund RRN {rrn} through the bank’s merchant portal.',
  },
  terminal_not_configured: {
    ru: 'Терминал {method} не настроен в этом PayBridge.',
    uz: '{method} terminali ushbu PayBridge’da sozlanmagan.',
    en: 'No {method} terminal is configured on this PayBridge.',
  },
  fiscal_not_paid: {
    ru: 'Платёж {id} {status}: фискальный чек передаётся только для оплаченного платежа.',
    uz: '{id} toʻlovi {status}: fiskal chek faqat toʻlangan toʻlov uchun yuboriladi.',
    en: 'Payment {id} {status}; only a paid payment gets a fiscal receipt.',
  },
  fiscal_given_back: {
    ru: 'Платёж {id} {status}: деньги возвращены покупателю, фискализировать нечего. Для возврата пробейте чек возврата.',
    uz: '{id} toʻlovi {status}: pul xaridorga qaytarilgan, fiskallashtiradigan narsa yoʻq. Qaytarish uchun qaytarish chekini chiqaring.',
    en: 'Payment {id} {status}: the money went back to the customer, so there is nothing to fiscalise. Print a return receipt for the give-back.',
  },
  fiscal_already: {
    ru: 'У платежа {id} уже есть другой фискальный чек.',
    uz: '{id} toʻlovida allaqachon boshqa fiskal chek bor.',
    en: 'Payment {id} already has another fiscal receipt.',
  },
  key_reused: {
    ru: 'Ключ Idempotency-Key «{key}» уже использован для другого запроса, {request}; ничего не выполнено. Для нового запроса нужен новый ключ.',
    uz: 'Idempotency-Key «{key}» boshqa soʻrov uchun ishlatilgan: {request}; hech narsa bajarilmadi. Yangi soʻrov uchun yangi kalit kerak.',
    en: 'Idempotency-Key "{key}" was already used for a different request, {request}; nothing was done. Use a new key for a new request.',
  },
  key_reused_body: {
    ru: 'Ключ Idempotency-Key «{key}» уже использован для другого запроса: {request} с другими данными (телом запроса); ничего не выполнено. Для нового запроса нужен новый ключ.',
    uz: 'Idempotency-Key «{key}» boshqa soʻrov uchun ishlatilgan: {request}, boshqa maʼlumotlar (soʻrov tanasi) bilan; hech narsa bajarilmadi. Yangi soʻrov uchun yangi kalit kerak.',
    en: 'Idempotency-Key "{key}" was already used for a different request: {request} with another body; nothing was done. Use a new key for a new request.',
  },
  key_reused_before_update: {
    ru: 'Ключ Idempotency-Key «{key}» использован до обновления PayBridge, и сравнить тот запрос с этим нельзя; ничего не выполнено. Если это повтор, проверьте результат в журнале; для нового запроса нужен новый ключ.',
    uz: 'Idempotency-Key «{key}» PayBridge yangilanishidan oldin ishlatilgan va u soʻrovni bunisi bilan solishtirib boʻlmaydi; hech narsa bajarilmadi. Bu takror boʻlsa, natijani jurnalda tekshiring; yangi soʻrov uchun yangi kalit kerak.',
    en: 'Idempotency-Key "{key}" was used before PayBridge was updated, and that request cannot be compared with this one; nothing was done. If this is a retry, look the result up in the journal; use a new key for a new request.',
  },
  key_taken_over: {
    ru: 'Ключ «{key}» перехватил повтор этого запроса; этот запрос ничего не отправил. Ответ — у повтора.',
    uz: '«{key}» kaliti ushbu soʻrovning takroriga oʻtdi; bu soʻrov hech narsa yubormadi. Javob takrorda.',
    en: 'A retry took over Idempotency-Key "{key}"; this request sent nothing. The retry has the answer.',
  },
  key_in_progress: {
    ru: 'Запрос с ключом «{key}» ещё выполняется; повторите позже.',
    uz: '«{key}» kalitli soʻrov hali bajarilmoqda; keyinroq qayta urinib koʻring.',
    en: 'The request with Idempotency-Key "{key}" is still in progress; ask again later.',
  },
  resolve_not_unknown: {
    ru: 'Транзакция {id} — {status}; решение оператора нужно только для неизвестного результата.',
    uz: '{id} tranzaksiyasi — {status}; operator qarori faqat nomaʼlum natija uchun kerak.',
    en: 'Transaction {id} is {status}; only an unknown outcome is an operator’s to decide.',
  },
  card_never_sent: {
    ru: 'Операция не была передана терминалу (PayBridge остановился, пока она ждала очереди): деньги не списаны. Можно провести оплату снова.',
    uz: 'Operatsiya terminalga yuborilmadi (PayBridge navbat kutilayotganda toʻxtadi): pul yechilmadi. Toʻlovni qayta oʻtkazish mumkin.',
    en: 'The operation was never handed to the terminal (PayBridge stopped while it waited its turn): nothing was charged. The payment may be taken again.',
  },
  still_in_flight: {
    ru: 'Транзакция {id} ещё выполняется; повторите чуть позже.',
    uz: '{id} tranzaksiyasi hali bajarilmoqda; birozdan keyin qayta urinib koʻring.',
    en: 'Transaction {id} is still being worked on; try again shortly.',
  },
  held_by: {
    ru: 'Транзакцию {id} сейчас проверяет {holder} (до {until}); решить её можно, когда проверка закончится.',
    uz: '{id} tranzaksiyasini hozir {holder} tekshirmoqda ({until} gacha); tekshiruv tugagach qaror qilish mumkin.',
    en: 'Transaction {id} is being settled by {holder} (until {until}); it can be decided once that is over.',
  },
  resolve_conflict_pending: {
    ru: 'Транзакция {id} ещё в обработке; решение оператора нужно только для неизвестного результата или конфликта.',
    uz: '{id} tranzaksiyasi hali jarayonda; operator qarori faqat nomaʼlum natija yoki ziddiyat uchun kerak.',
    en: 'Transaction {id} is still pending; only an unknown outcome or a conflict is an operator’s to decide.',
  },
  not_a_payment: {
    ru: 'Транзакция {id} — это возврат или отмена, а не платёж; вернуть можно только платёж.',
    uz: '{id} tranzaksiyasi toʻlov emas, qaytarish yoki bekor qilish; faqat toʻlovni qaytarish mumkin.',
    en: 'Transaction {id} is a cancel or refund, not a payment; only a payment can be given back.',
  },
  no_rrn: {
    ru: 'У платежа {id} нет RRN со слипа: вернуть его можно только на терминале.',
    uz: '{id} toʻlovida slipdagi RRN yoʻq: uni faqat terminalda qaytarish mumkin.',
    en: 'Payment {id} has no RRN from its slip: it can be given back only at the terminal.',
  },
  // The wallet reconciliation: what the shop should do about each kind of difference.
  reconcile_paid_at_provider_only: {
    ru: '{method} списал {amount}, а в журнале этот платёж не прошёл. Покупатель заплатил: проверьте, не взяли ли оплату второй раз, и верните лишнее.',
    uz: '{method} {amount} yechib oldi, jurnalda esa bu toʻlov oʻtmagan. Xaridor toʻlagan: toʻlov ikkinchi marta olinmaganini tekshiring va ortiqchasini qaytaring.',
    en: '{method} charged {amount}, but the journal says this payment did not go through. The customer paid: check whether the till took the payment a second time, and give back what was taken twice.',
  },
  reconcile_paid_in_journal_only: {
    ru: 'В журнале оплачено {amount}, а {method} такого списания не показывает. Проверьте платёж в кабинете {method} и сообщите руководителю.',
    uz: 'Jurnalda {amount} toʻlangan, {method} esa bunday yechishni koʻrsatmaydi. Toʻlovni {method} kabinetida tekshiring va rahbarga xabar bering.',
    en: 'The journal has {amount} paid, but {method} shows no such charge. Look the payment up in {method}’s merchant cabinet and tell the manager.',
  },
  reconcile_given_back_outside: {
    ru: '{method} вернул {amount}, а в журнале возврата нет (возврат через кабинет?). Учтите возврат в кассе и не возвращайте деньги второй раз.',
    uz: '{method} {amount} qaytardi, jurnalda esa qaytarish yoʻq (kabinet orqali qaytarilganmi?). Qaytarishni kassada hisobga oling va pulni ikkinchi marta qaytarmang.',
    en: '{method} gave back {amount} that the journal does not show given back (a refund in the merchant cabinet?). Record the refund in the shop’s books, and do not give it back again.',
  },
  reconcile_given_back_in_journal_only: {
    ru: 'В журнале возвращено {amount}, а {method} всё ещё показывает оплату. Покупатель мог не получить деньги: проверьте кабинет {method} и позвоните в {method}.',
    uz: 'Jurnalda {amount} qaytarilgan, {method} esa hali ham toʻlovni koʻrsatmoqda. Xaridor pulni olmagan boʻlishi mumkin: {method} kabinetini tekshiring va {method}ga qoʻngʻiroq qiling.',
    en: 'The journal shows {amount} given back, but {method} still shows it paid. The customer may not have the money back: check {method}’s merchant cabinet and call {method}.',
  },
  reconcile_amount_differs: {
    ru: 'Журнал и {method} расходятся на {amount} по этому платежу. Сверьте чек с кабинетом {method} и сообщите руководителю.',
    uz: 'Bu toʻlov boʻyicha jurnal va {method} oʻrtasida {amount} farq bor. Chekni {method} kabineti bilan solishtiring va rahbarga xabar bering.',
    en: 'The journal and {method} differ by {amount} on this payment. Compare the receipt with {method}’s merchant cabinet and tell the manager.',
  },
  reconcile_unknown_to_journal: {
    ru: 'В {method} есть платёж на {amount}, которого этот PayBridge не проводил (через кабинет или другую кассу). Выясните, откуда он; неоплаченный чек отмените в кабинете.',
    uz: '{method}da {amount} lik toʻlov bor, uni bu PayBridge oʻtkazmagan (kabinet yoki boshqa kassa orqali). Qayerdan kelganini aniqlang; toʻlanmagan chekni kabinetda bekor qiling.',
    en: '{method} holds a payment of {amount} that this PayBridge never took (made in the merchant cabinet or on another till). Find out where it comes from; cancel an unpaid receipt in the cabinet.',
  },
  reconcile_not_confirmed: {
    ru: '{method} не смог подтвердить этот платёж ({amount}). Ошибки пока нет: он будет проверен при следующей сверке; или найдите его в кабинете {method}.',
    uz: '{method} bu toʻlovni ({amount}) tasdiqlay olmadi. Hozircha xato yoʻq: keyingi solishtirishda tekshiriladi; yoki uni {method} kabinetidan toping.',
    en: '{method} could not confirm this payment ({amount}). Nothing is known to be wrong: it is checked again at the next reconciliation; or look it up in {method}’s merchant cabinet.',
  },
  reconcile_settled_by_reconciliation: {
    ru: 'Результат платежа был неизвестен; сверка с {method} его установила: {status}. Если он оплачен, проверьте, не заплатил ли покупатель второй раз.',
    uz: 'Toʻlov natijasi nomaʼlum edi; {method} bilan solishtirish uni aniqladi: {status}. Agar toʻlangan boʻlsa, xaridor ikkinchi marta toʻlamaganini tekshiring.',
    en: 'The payment’s outcome was unknown; the reconciliation with {method} settled it: {status}. If it was paid, check that the customer did not pay a second time.',
  },
  reconcile_not_run: {
    ru: 'Сверки с кошельками за {date} ещё не было. Запустите её: POST /payment/reconciliation/wallets.',
    uz: '{date} uchun hamyonlar bilan solishtirish hali oʻtkazilmagan. Uni ishga tushiring: POST /payment/reconciliation/wallets.',
    en: 'No wallet reconciliation of {date} has run yet. Start one: POST /payment/reconciliation/wallets.',
  },
  // The kinds of difference a wallet reconciliation reports, in a word or two (the console's i18n.js says the same).
  kind_paid_at_provider_only: { ru: 'оплачено только в кошельке', uz: 'faqat hamyonda toʻlangan', en: 'paid at the wallet only' },
  kind_paid_in_journal_only: { ru: 'оплачено только в журнале', uz: 'faqat jurnalda toʻlangan', en: 'paid in the journal only' },
  kind_given_back_outside: { ru: 'возврат мимо PayBridge', uz: 'PayBridge’siz qaytarilgan', en: 'given back outside PayBridge' },
  kind_given_back_in_journal_only: { ru: 'возврат только в журнале', uz: 'faqat jurnalda qaytarilgan', en: 'given back in the journal only' },
  kind_amount_differs: { ru: 'суммы расходятся', uz: 'summalar farq qiladi', en: 'amounts differ' },
  kind_unknown_to_journal: { ru: 'нет в журнале', uz: 'jurnalda yoʻq', en: 'unknown to the journal' },
  kind_not_confirmed: { ru: 'не подтверждено', uz: 'tasdiqlanmadi', en: 'not confirmed' },
  kind_settled_by_reconciliation: { ru: 'решено сверкой', uz: 'solishtirish hal qildi', en: 'settled by the reconciliation' },
  // Transaction statuses, as they read inside the sentences above.
  status_pending: { ru: 'в обработке', uz: 'jarayonda', en: 'pending' },
  status_succeeded: { ru: 'успешен', uz: 'muvaffaqiyatli', en: 'succeeded' },
  status_failed: { ru: 'не прошёл', uz: 'oʻtmadi', en: 'failed' },
  status_unknown: { ru: 'неизвестен', uz: 'nomaʼlum', en: 'unknown' },
  status_cancelled: { ru: 'отменён', uz: 'bekor qilingan', en: 'cancelled' },
  status_refunded: { ru: 'возвращён', uz: 'qaytarilgan', en: 'refunded' },
} as const satisfies Record<string, Record<Language, string>>;

export type MessageKey = keyof typeof MESSAGES;
