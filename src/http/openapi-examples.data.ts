// Written by `npm run docs:examples` (test/docs/generate.ts); do not edit by hand: change the script and run it again.
import type { RecordedFile } from './openapi-examples.js';

export const RECORDED: RecordedFile = {
  "generated_by": "npm run docs:examples (test/docs/generate.ts): what a sandbox PayBridge answered to test/docs/scenarios.ts",
  "routes": {
    "GET /health": [
      {
        "name": "ready",
        "request": {
          "method": "GET",
          "url": "/health"
        },
        "status": 200,
        "answer": {
          "data": {
            "ok": true,
            "mode": "sandbox",
            "version": "0.1.0",
            "timezone": "Asia/Tashkent",
            "journal": {
              "engine": "sqlite",
              "ok": true,
              "detail": "schema v11, WAL, synchronous=NORMAL + WAL fdatasync before each answer, better-sqlite3"
            },
            "methods": [
              "click",
              "payme",
              "uzum",
              "humo",
              "uzcard"
            ],
            "terminals": [
              {
                "id": "humo-sandbox",
                "method": "humo",
                "driver": "arcus2",
                "default": true,
                "busy": false
              },
              {
                "id": "uzcard-sandbox",
                "method": "uzcard",
                "driver": "bridge",
                "default": true,
                "busy": false
              }
            ],
            "sandbox": {
              "click": "http://127.0.0.1:18001/v2/merchant/",
              "payme": "http://127.0.0.1:18002/api",
              "uzum": "http://127.0.0.1:18003/api/apelsin-pay/merchant/",
              "uzcard": "tcp://127.0.0.1:18004"
            }
          },
          "error": null,
          "is_success": true
        }
      }
    ],
    "POST /payment/click": [
      {
        "name": "paid",
        "request": {
          "method": "POST",
          "url": "/payment/click",
          "body": {
            "amount": 150000,
            "qr_code": "880101698207133392"
          },
          "headers": {
            "idempotency-key": "docs-click-1"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status_code": 0,
            "status": "successfully",
            "message": "Успешно подтвержден",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
            "payment_id": "2170000001",
            "amount": 150000,
            "qr_code": "880101698207133392",
            "client_phone_number": "998903496384"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "declined (104)",
        "request": {
          "method": "POST",
          "url": "/payment/click",
          "body": {
            "amount": 150000,
            "qr_code": "880101698207133116"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "-5017: Недостаточно средств на карте",
            "reason": "Платёжная система не приняла платёж; деньги не списаны.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000002",
            "transaction_status": "failed",
            "provider_said": "Click answered error_code -5017 (Недостаточно средств на карте); PayBridge never learnt the payment’s id, so it cannot be confirmed, and CLICK cancels an unconfirmed payment 30 s after creating it: nothing stays charged (a debit the customer may see is returned by CLICK within those 30 s)."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/click",
          "body": {
            "amount": 1.5,
            "qr_code": "880101698207133392"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (amount). Ничего не выполнено; сообщите администратору кассы.",
            "data": "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000",
            "problems": [
              "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/click_confirm": [
      {
        "name": "delivered",
        "request": {
          "method": "POST",
          "url": "/payment/click_confirm",
          "body": {
            "payment_id": "2170000001",
            "qr_code": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "inn": null,
            "payment_id": "2170000001",
            "qr_code": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901",
            "status": "successfully",
            "error": null
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/click_confirm",
          "body": {
            "payment_id": "2170000001",
            "qr_code": "https://example.com/check"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (qr_code). Ничего не выполнено; сообщите администратору кассы.",
            "data": "qr_code: must be the https check URL of the fiscal receipt on soliq.uz (e.g. https://ofd.soliq.uz/check?t=…&r=…)",
            "problems": [
              "qr_code: must be the https check URL of the fiscal receipt on soliq.uz (e.g. https://ofd.soliq.uz/check?t=…&r=…)"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/click_cancel": [
      {
        "name": "part given back",
        "request": {
          "method": "POST",
          "url": "/payment/click_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
            "amount": 50000
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status": "successfully",
            "message": "Частичный возврат выполнен",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
            "payment_id": "2170000001",
            "amount": 50000,
            "refunded_amount": 50000,
            "remaining_amount": 100000,
            "transaction_status": "succeeded",
            "give_back_id": "d0c5e7a0-0000-4000-8000-000000000003"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "the rest given back",
        "request": {
          "method": "POST",
          "url": "/payment/click_cancel",
          "body": {
            "payment_id": "2170000001"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status": "successfully",
            "message": "Частичный возврат выполнен",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
            "payment_id": "2170000001",
            "amount": 100000,
            "refunded_amount": 150000,
            "remaining_amount": 0,
            "transaction_status": "refunded",
            "give_back_id": "d0c5e7a0-0000-4000-8000-000000000004"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "nothing left (106)",
        "request": {
          "method": "POST",
          "url": "/payment/click_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Платёж уже возвращён; возвращать нечего.",
            "data": "The payment was already refunded; nothing is left to give back.",
            "reason": "Платёж уже возвращён; возвращать нечего.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
            "transaction_status": "refunded",
            "remaining_amount": 0,
            "refunded_amount": 150000,
            "reserved_amount": 0
          },
          "is_success": false
        }
      },
      {
        "name": "not in the journal (106)",
        "request": {
          "method": "POST",
          "url": "/payment/click_cancel",
          "body": {
            "transaction_id": "00000000-0000-4000-8000-000000000000"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.",
            "data": "Transaction 00000000-0000-4000-8000-000000000000 is not in the journal.",
            "reason": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/click_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
            "payment_id": "2170000001"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (transaction_id, payment_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "transaction_id, payment_id: exactly one of them is required",
            "problems": [
              "transaction_id, payment_id: exactly one of them is required"
            ]
          },
          "is_success": false
        }
      },
      {
        "name": "outcome unknown (104)",
        "request": {
          "method": "POST",
          "url": "/payment/click_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000005",
            "amount": 30000
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "OUTCOME_UNKNOWN",
            "reason": "Не повторяйте возврат: деньги могли уже вернуться покупателю. Попросите покупателя посмотреть в приложении Click, вернулись ли деньги, и позовите менеджера; PayBridge продолжает проверять.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000005",
            "transaction_status": "unknown",
            "give_back_id": "d0c5e7a0-0000-4000-8000-000000000006",
            "give_back_status": "unknown",
            "provider_said": "Click answered HTTP 504: whether CLICK reversed the payment is not known. Check before trying again."
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/payme": [
      {
        "name": "paid",
        "request": {
          "method": "POST",
          "url": "/payment/payme",
          "body": {
            "amount": 150000,
            "qr_code": "880102598207133393"
          },
          "headers": {
            "idempotency-key": "docs-payme-1"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status_code": 0,
            "status": "successfully",
            "message": "Успешно подтвержден",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000007",
            "payment_id": "6a0c00000000000000000001",
            "amount": 150000,
            "qr_code": "880102598207133393",
            "client_phone_number": "998936127956"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "declined (104)",
        "request": {
          "method": "POST",
          "url": "/payment/payme",
          "body": {
            "amount": 150000,
            "qr_code": "880102598207133116"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "-31303: Недостаточно средств на карте",
            "reason": "Платёжная система не приняла платёж; деньги не списаны.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000008",
            "transaction_status": "failed",
            "provider_said": "Payme declined the payment: Недостаточно средств на карте."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/payme",
          "body": {
            "amount": 1.5,
            "qr_code": "880102598207133393"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (amount). Ничего не выполнено; сообщите администратору кассы.",
            "data": "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000",
            "problems": [
              "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/payme_confirm": [
      {
        "name": "delivered",
        "request": {
          "method": "POST",
          "url": "/payment/payme_confirm",
          "body": {
            "payment_id": "6a0c00000000000000000001",
            "qr_code": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901",
            "receipt_id": 1542,
            "terminal_id": "EP000000000123",
            "fiscal_sign": "600000000001",
            "date": "2026-11-26T15:01:02",
            "status_code": 0,
            "message": "Принят"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "id": 19,
            "result": {
              "receipt": {
                "_id": "6a0c00000000000000000001",
                "create_time": 1795669202000,
                "pay_time": 1795669203000
              }
            },
            "error": null
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/payme_confirm",
          "body": {
            "payment_id": "6a0c00000000000000000001",
            "qr_code": "https://example.com/check"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (qr_code). Ничего не выполнено; сообщите администратору кассы.",
            "data": "qr_code: must be the https check URL of the fiscal receipt on soliq.uz (e.g. https://ofd.soliq.uz/check?t=…&r=…)",
            "problems": [
              "qr_code: must be the https check URL of the fiscal receipt on soliq.uz (e.g. https://ofd.soliq.uz/check?t=…&r=…)"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/payme_cancel": [
      {
        "name": "part refused (106)",
        "request": {
          "method": "POST",
          "url": "/payment/payme_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000007",
            "amount": 50000
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Payme здесь не возвращает часть платежа; отмените всю сумму 1 500,00 сум.",
            "data": "Payme cannot give back part of a payment here; cancel the whole 1,500.00 soum.",
            "reason": "Payme здесь не возвращает часть платежа; отмените всю сумму 1 500,00 сум.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000007",
            "transaction_status": "succeeded",
            "remaining_amount": 150000,
            "refunded_amount": 0,
            "reserved_amount": 0
          },
          "is_success": false
        }
      },
      {
        "name": "the rest given back",
        "request": {
          "method": "POST",
          "url": "/payment/payme_cancel",
          "body": {
            "payment_id": "6a0c00000000000000000001"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status": "successfully",
            "message": "Платеж отменен",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000007",
            "payment_id": "6a0c00000000000000000001",
            "amount": 150000,
            "refunded_amount": 150000,
            "remaining_amount": 0,
            "transaction_status": "cancelled",
            "give_back_id": "d0c5e7a0-0000-4000-8000-000000000009"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "nothing left (106)",
        "request": {
          "method": "POST",
          "url": "/payment/payme_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000007"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Платёж уже отменён; возвращать нечего.",
            "data": "The payment was already cancelled; nothing is left to give back.",
            "reason": "Платёж уже отменён; возвращать нечего.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000007",
            "transaction_status": "cancelled",
            "remaining_amount": 0,
            "refunded_amount": 150000,
            "reserved_amount": 0
          },
          "is_success": false
        }
      },
      {
        "name": "not in the journal (106)",
        "request": {
          "method": "POST",
          "url": "/payment/payme_cancel",
          "body": {
            "transaction_id": "00000000-0000-4000-8000-000000000000"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.",
            "data": "Transaction 00000000-0000-4000-8000-000000000000 is not in the journal.",
            "reason": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/payme_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000007",
            "payment_id": "6a0c00000000000000000001"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (transaction_id, payment_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "transaction_id, payment_id: exactly one of them is required",
            "problems": [
              "transaction_id, payment_id: exactly one of them is required"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/uzum": [
      {
        "name": "paid",
        "request": {
          "method": "POST",
          "url": "/payment/uzum",
          "body": {
            "amount": 150000,
            "qr_code": "8801034982071333880103498207133388010394"
          },
          "headers": {
            "idempotency-key": "docs-uzum-1"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status_code": 0,
            "status": "successfully",
            "message": "Успешно подтвержден",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000010",
            "payment_id": "d0c5e7a0-0000-4000-8000-000000000011",
            "amount": 150000,
            "qr_code": "8801034982071333880103498207133388010394",
            "client_phone_number": "998946532140",
            "payment_status": "SUCCESS",
            "error_code": "0",
            "error_message": null
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "declined (104)",
        "request": {
          "method": "POST",
          "url": "/payment/uzum",
          "body": {
            "amount": 150000,
            "qr_code": "8801034982071333880103498207133388010116"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "400: operation.failed",
            "reason": "Платёжная система не приняла платёж; деньги не списаны.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000012",
            "transaction_status": "failed",
            "provider_said": "Uzum declined: operation.failed; nothing was charged."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/uzum",
          "body": {
            "amount": 1.5,
            "qr_code": "8801034982071333880103498207133388010394"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (amount). Ничего не выполнено; сообщите администратору кассы.",
            "data": "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000",
            "problems": [
              "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/uzum_confirm": [
      {
        "name": "delivered",
        "request": {
          "method": "POST",
          "url": "/payment/uzum_confirm",
          "body": {
            "payment_id": "d0c5e7a0-0000-4000-8000-000000000011",
            "qr_code": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "payment_id": "d0c5e7a0-0000-4000-8000-000000000011",
            "payment_status": "SUCCESS",
            "error_code": "0",
            "error_message": null,
            "client_phone_number": null,
            "qr_code": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/uzum_confirm",
          "body": {
            "payment_id": "d0c5e7a0-0000-4000-8000-000000000011",
            "qr_code": "https://example.com/check"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (qr_code). Ничего не выполнено; сообщите администратору кассы.",
            "data": "qr_code: must be the https check URL of the fiscal receipt on soliq.uz (e.g. https://ofd.soliq.uz/check?t=…&r=…)",
            "problems": [
              "qr_code: must be the https check URL of the fiscal receipt on soliq.uz (e.g. https://ofd.soliq.uz/check?t=…&r=…)"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/uzum_cancel": [
      {
        "name": "part refused (106)",
        "request": {
          "method": "POST",
          "url": "/payment/uzum_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000010",
            "amount": 50000
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Uzum здесь не возвращает часть платежа; отмените всю сумму 1 500,00 сум.",
            "data": "Uzum cannot give back part of a payment here; cancel the whole 1,500.00 soum.",
            "reason": "Uzum здесь не возвращает часть платежа; отмените всю сумму 1 500,00 сум.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000010",
            "transaction_status": "succeeded",
            "remaining_amount": 150000,
            "refunded_amount": 0,
            "reserved_amount": 0
          },
          "is_success": false
        }
      },
      {
        "name": "the rest given back",
        "request": {
          "method": "POST",
          "url": "/payment/uzum_cancel",
          "body": {
            "payment_id": "d0c5e7a0-0000-4000-8000-000000000011"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status": "successfully",
            "message": "Платеж отменен",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000010",
            "payment_id": "d0c5e7a0-0000-4000-8000-000000000011",
            "amount": 150000,
            "refunded_amount": 150000,
            "remaining_amount": 0,
            "transaction_status": "cancelled",
            "give_back_id": "d0c5e7a0-0000-4000-8000-000000000013"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "nothing left (106)",
        "request": {
          "method": "POST",
          "url": "/payment/uzum_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000010"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Платёж уже отменён; возвращать нечего.",
            "data": "The payment was already cancelled; nothing is left to give back.",
            "reason": "Платёж уже отменён; возвращать нечего.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000010",
            "transaction_status": "cancelled",
            "remaining_amount": 0,
            "refunded_amount": 150000,
            "reserved_amount": 0
          },
          "is_success": false
        }
      },
      {
        "name": "not in the journal (106)",
        "request": {
          "method": "POST",
          "url": "/payment/uzum_cancel",
          "body": {
            "transaction_id": "00000000-0000-4000-8000-000000000000"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.",
            "data": "Transaction 00000000-0000-4000-8000-000000000000 is not in the journal.",
            "reason": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/uzum_cancel",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000010",
            "payment_id": "d0c5e7a0-0000-4000-8000-000000000011"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (transaction_id, payment_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "transaction_id, payment_id: exactly one of them is required",
            "problems": [
              "transaction_id, payment_id: exactly one of them is required"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/xumo": [
      {
        "name": "paid",
        "request": {
          "method": "POST",
          "url": "/payment/xumo",
          "body": {
            "amount": 250000,
            "terminal": "humo-sandbox"
          },
          "headers": {
            "idempotency-key": "docs-humo-1"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           ОБЫЧНЫЙ ТОВАР\nID Терминала:01000002  Номер смены 1\nID Организации:190339999999902\n                               Чек 1\n               Оплата\n              ОДОБРЕНО\nСУММА:                   2500.00 UZS\nAID: A0860001000001    HUMO- EMV ICC\nКарта: HUMO              Срок: 01/29\n        986009******7856:01\nКод авторизации: 100001\n                         Код ответа:\n000\nRRN:600000000002\n                       Дата:26/11/26\n10:15:00\nUniv. EMV POS 1.0.0/(MP) /687\n \n====================================\n",
            "ppt_id": "600000000002",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000014",
            "terminal": "humo-sandbox",
            "receipt_number": 1,
            "shift_number": 1
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "second purchase",
        "request": {
          "method": "POST",
          "url": "/payment/xumo",
          "body": {
            "amount": 120000,
            "terminal": "humo-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           ОБЫЧНЫЙ ТОВАР\nID Терминала:01000002  Номер смены 1\nID Организации:190339999999902\n                               Чек 2\n               Оплата\n              ОДОБРЕНО\nСУММА:                   1200.00 UZS\nAID: A0860001000001    HUMO- EMV ICC\nКарта: HUMO              Срок: 01/29\n        986009******7856:01\nКод авторизации: 100002\n                         Код ответа:\n000\nRRN:600000000003\n                       Дата:26/11/26\n10:15:00\nUniv. EMV POS 1.0.0/(MP) /687\n \n====================================\n",
            "ppt_id": "600000000003",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000015",
            "terminal": "humo-sandbox",
            "receipt_number": 2,
            "shift_number": 1
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "cancelled",
        "request": {
          "method": "POST",
          "url": "/payment/xumo",
          "body": {
            "amount": 250000,
            "is_return": true,
            "request_id": "600000000002",
            "terminal": "humo-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           ОБЫЧНЫЙ ТОВАР\nID Терминала:01000002  Номер смены 1\nID Организации:190339999999902\n                               Чек 3\n          Отмена (CANCEL)\n              ОДОБРЕНО\n         ОПЕРАЦИЯ ОТМЕНЕНА\nСУММА:                   2500.00 UZS\nAID: A0860001000001    HUMO- EMV ICC\nКарта: HUMO              Срок: 01/29\n        986009******7856:01\nКод авторизации: 100003\n                         Код ответа:\n400\nRRN:600000000004\nИсх. RRN:600000000002\n                       Дата:26/11/26\n10:15:00\nUniv. EMV POS 1.0.0/(MP) /687\n \n====================================\n",
            "ppt_id": "600000000004",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000016",
            "terminal": "humo-sandbox",
            "receipt_number": 3,
            "shift_number": 1,
            "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000014",
            "original_receipt_number": 1,
            "refunded_amount": 250000,
            "remaining_amount": 0
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "declined by the card's bank (108)",
        "request": {
          "method": "POST",
          "url": "/payment/xumo",
          "body": {
            "amount": 11600,
            "terminal": "humo-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 108,
            "message": "Недостаточно средств",
            "data": "116 Insufficient funds",
            "response_code": "116",
            "reason": "Терминал не провёл оплату; деньги не списаны.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000017",
            "transaction_status": "failed",
            "slip": "         ОПЕРАЦИЯ ОТКЛОНЕНА\nКод ответа:                      116\n        Недостаточно средств\n"
          },
          "is_success": false
        }
      },
      {
        "name": "aborted at the pinpad (108)",
        "request": {
          "method": "POST",
          "url": "/payment/xumo",
          "body": {
            "amount": 99200,
            "terminal": "humo-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 108,
            "message": "Операция прервана клиентом/кассиром",
            "data": "992 Operation aborted",
            "response_code": "992",
            "reason": "Терминал не провёл оплату; деньги не списаны.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000018",
            "transaction_status": "failed",
            "slip": "         ОПЕРАЦИЯ ОТКЛОНЕНА\nКод ответа:                      992\n         Операция прервана\n"
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/xumo",
          "body": {
            "amount": 500,
            "is_return": true,
            "terminal": "humo-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (request_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "request_id: is required when is_return is true",
            "problems": [
              "request_id: is required when is_return is true"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/xumo/print_last": [
      {
        "name": "last slip",
        "request": {
          "method": "GET",
          "url": "/payment/xumo/print_last?terminal=humo-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           ОБЫЧНЫЙ ТОВАР\nID Терминала:01000002  Номер смены 1\nID Организации:190339999999902\n                               Чек 2\n               Оплата\n              ОДОБРЕНО\nСУММА:                   1200.00 UZS\nAID: A0860001000001    HUMO- EMV ICC\nКарта: HUMO              Срок: 01/29\n        986009******7856:01\nКод авторизации: 100002\n                         Код ответа:\n000\nRRN:600000000003\n                       Дата:26/11/26\n10:15:00\nUniv. EMV POS 1.0.0/(MP) /687\n \n====================================\n",
            "ppt_id": "600000000003",
            "terminal": "humo-sandbox",
            "source": "terminal"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/xumo/print_last?terminal=no such terminal"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (terminal). Ничего не выполнено; сообщите администратору кассы.",
            "data": "terminal: must be a configured terminal id",
            "problems": [
              "terminal: must be a configured terminal id"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/xumo_shortreport": [
      {
        "name": "X-report",
        "request": {
          "method": "GET",
          "url": "/payment/xumo_shortreport?terminal=humo-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           ОБЫЧНЫЙ ТОВАР\n        Промежуточный отчет\nID Терминала:               01000002\nНомер смены                        1\nДата:              26/11/26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 0 шт.       0.00 UZS\nИтого:                   3700.00 UZS\n          Смена не закрыта\n====================================\n",
            "ppt_id": null,
            "terminal": "humo-sandbox",
            "shift_number": 1,
            "reconciliation": {
              "matched": true,
              "compared": "the terminal's totals against the journal's for shift 1 so far (the shift stays open)",
              "terminal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 0,
                "return_amount": 0
              },
              "journal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 0,
                "return_amount": 0
              },
              "difference": {
                "purchase_count": 0,
                "purchase_amount": 0,
                "return_count": 0,
                "return_amount": 0
              },
              "terminal_host_reconciliation": null
            }
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/xumo_shortreport?shift=1"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (shift). Ничего не выполнено; сообщите администратору кассы.",
            "data": "shift: is not a known parameter",
            "problems": [
              "shift: is not a known parameter"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/xumo_close": [
      {
        "name": "shift closed",
        "request": {
          "method": "GET",
          "url": "/payment/xumo_close?terminal=humo-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           ОБЫЧНЫЙ ТОВАР\n           Сверка итогов\n        Отчет закрытия смены\nID Терминала:               01000002\nНомер смены                        1\nДата:              26/11/26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 1 шт.    2500.00 UZS\nИтого:                   1200.00 UZS\n           Итоги совпали\n====================================\n",
            "ppt_id": null,
            "terminal": "humo-sandbox",
            "shift_number": 1,
            "reconciliation": {
              "matched": true,
              "compared": "the terminal's totals against the journal's for shift 1",
              "terminal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 250000
              },
              "journal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 250000
              },
              "difference": {
                "purchase_count": 0,
                "purchase_amount": 0,
                "return_count": 0,
                "return_amount": 0
              },
              "terminal_host_reconciliation": {
                "result": "matched",
                "printed": [
                  "Итоги совпали"
                ],
                "meaning": "the terminal's own reconciliation with its bank host, as its report prints it; not a comparison with PayBridge's journal"
              }
            }
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/xumo_close?terminal=no such terminal"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (terminal). Ничего не выполнено; сообщите администратору кассы.",
            "data": "terminal: must be a configured terminal id",
            "problems": [
              "terminal: must be a configured terminal id"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/xumo_close/print_last": [
      {
        "name": "last shift report",
        "request": {
          "method": "GET",
          "url": "/payment/xumo_close/print_last?terminal=humo-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           ОБЫЧНЫЙ ТОВАР\n           Сверка итогов\n        Отчет закрытия смены\nID Терминала:               01000002\nНомер смены                        1\nДата:              26/11/26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 1 шт.    2500.00 UZS\nИтого:                   1200.00 UZS\n           Итоги совпали\n====================================\n",
            "ppt_id": null,
            "terminal": "humo-sandbox",
            "source": "terminal"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/xumo_close/print_last?terminal=no such terminal"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (terminal). Ничего не выполнено; сообщите администратору кассы.",
            "data": "terminal: must be a configured terminal id",
            "problems": [
              "terminal: must be a configured terminal id"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/uzcard": [
      {
        "name": "paid",
        "request": {
          "method": "POST",
          "url": "/payment/uzcard",
          "body": {
            "amount": 250000,
            "terminal": "uzcard-sandbox"
          },
          "headers": {
            "idempotency-key": "docs-uzcard-1"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           OOO TEST TIME\n         Tashkent, Main str\n       БЕСКОНТАКТНАЯ ОПЕРАЦИЯ\nНомер операции:                    1\nТерминал:                   00000013\nТорговец:            000000900227899\nВерсия ПО:        SKappay v1.7.0_rc2\nSN:                       2290268839\nRRN                     600000000005\nДата             2026-11-26 10:15:00\nКарта               544081******5040\nТип:               UZCARD-MASTERCARD\n \n \n               Оплата\n            2500.00 UZS\n              Одобрено\n           Код ответа:000\n",
            "ppt_id": "600000000005",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000019",
            "terminal": "uzcard-sandbox",
            "receipt_number": 1,
            "shift_number": 1
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "second purchase",
        "request": {
          "method": "POST",
          "url": "/payment/uzcard",
          "body": {
            "amount": 120000,
            "terminal": "uzcard-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           OOO TEST TIME\n         Tashkent, Main str\n       БЕСКОНТАКТНАЯ ОПЕРАЦИЯ\nНомер операции:                    2\nТерминал:                   00000013\nТорговец:            000000900227899\nВерсия ПО:        SKappay v1.7.0_rc2\nSN:                       2290268839\nRRN                     600000000006\nДата             2026-11-26 10:15:00\nКарта               544081******5040\nТип:               UZCARD-MASTERCARD\n \n \n               Оплата\n            1200.00 UZS\n              Одобрено\n           Код ответа:000\n",
            "ppt_id": "600000000006",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000020",
            "terminal": "uzcard-sandbox",
            "receipt_number": 2,
            "shift_number": 1
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "refunded",
        "request": {
          "method": "POST",
          "url": "/payment/uzcard",
          "body": {
            "amount": 100000,
            "is_return": true,
            "request_id": "600000000005",
            "terminal": "uzcard-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           OOO TEST TIME\n         Tashkent, Main str\n       БЕСКОНТАКТНАЯ ОПЕРАЦИЯ\nНомер операции:                    3\nТерминал:                   00000013\nТорговец:            000000900227899\nВерсия ПО:        SKappay v1.7.0_rc2\nSN:                       2290268839\nRRN                     600000000007\nДата             2026-11-26 10:15:00\nКарта               544081******5040\nТип:               UZCARD-MASTERCARD\n \n \n              Возврат\n            1000.00 UZS\n              Одобрено\n           Код ответа:000\n",
            "ppt_id": "600000000007",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000021",
            "terminal": "uzcard-sandbox",
            "receipt_number": 3,
            "shift_number": 1,
            "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000019",
            "refunded_amount": 100000,
            "remaining_amount": 150000
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "declined by the card's bank (109)",
        "request": {
          "method": "POST",
          "url": "/payment/uzcard",
          "body": {
            "amount": 11600,
            "terminal": "uzcard-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 109,
            "message": "Недостаточно средств",
            "data": "116 Insufficient funds",
            "response_code": "116",
            "reason": "Терминал не провёл оплату; деньги не списаны.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000022",
            "transaction_status": "failed",
            "slip": null
          },
          "is_success": false
        }
      },
      {
        "name": "aborted at the pinpad (109)",
        "request": {
          "method": "POST",
          "url": "/payment/uzcard",
          "body": {
            "amount": 99200,
            "terminal": "uzcard-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 109,
            "message": "Операция прервана клиентом/кассиром",
            "data": "992 Operation aborted",
            "response_code": "992",
            "reason": "Терминал не провёл оплату; деньги не списаны.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000023",
            "transaction_status": "failed",
            "slip": null
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/uzcard",
          "body": {
            "amount": 500,
            "is_return": true,
            "terminal": "uzcard-sandbox"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (request_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "request_id: is required when is_return is true",
            "problems": [
              "request_id: is required when is_return is true"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/uzcard/print_last": [
      {
        "name": "last slip",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard/print_last?terminal=uzcard-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           OOO TEST TIME\n         Tashkent, Main str\n       БЕСКОНТАКТНАЯ ОПЕРАЦИЯ\nНомер операции:                    2\nТерминал:                   00000013\nТорговец:            000000900227899\nВерсия ПО:        SKappay v1.7.0_rc2\nSN:                       2290268839\nRRN                     600000000006\nДата             2026-11-26 10:15:00\nКарта               544081******5040\nТип:               UZCARD-MASTERCARD\n \n \n               Оплата\n            1200.00 UZS\n              Одобрено\n           Код ответа:000\n",
            "ppt_id": null,
            "terminal": "uzcard-sandbox",
            "source": "terminal"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard/print_last?terminal=no such terminal"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (terminal). Ничего не выполнено; сообщите администратору кассы.",
            "data": "terminal: must be a configured terminal id",
            "problems": [
              "terminal: must be a configured terminal id"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/uzcard_shortreport": [
      {
        "name": "X-report",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard_shortreport?terminal=uzcard-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           OOO TEST TIME\n        Промежуточный отчет\nID Терминала:               00000013\nНомер смены                        1\nДата:            2026-11-26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 0 шт.       0.00 UZS\nИтого:                   3700.00 UZS\n          Смена не закрыта\n====================================\n",
            "ppt_id": null,
            "terminal": "uzcard-sandbox",
            "shift_number": 1,
            "reconciliation": {
              "matched": true,
              "compared": "the terminal's totals against the journal's for shift 1 so far (the shift stays open)",
              "terminal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 0,
                "return_amount": 0
              },
              "journal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 0,
                "return_amount": 0
              },
              "difference": {
                "purchase_count": 0,
                "purchase_amount": 0,
                "return_count": 0,
                "return_amount": 0
              },
              "terminal_host_reconciliation": null
            }
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard_shortreport?shift=1"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (shift). Ничего не выполнено; сообщите администратору кассы.",
            "data": "shift: is not a known parameter",
            "problems": [
              "shift: is not a known parameter"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/uzcard_close": [
      {
        "name": "shift closed",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard_close?terminal=uzcard-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           OOO TEST TIME\n           Сверка итогов\n        Отчет закрытия смены\nID Терминала:               00000013\nНомер смены                        1\nДата:            2026-11-26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 1 шт.    1000.00 UZS\nИтого:                   2700.00 UZS\n           Итоги совпали\n====================================\n",
            "ppt_id": null,
            "terminal": "uzcard-sandbox",
            "shift_number": 1,
            "reconciliation": {
              "matched": true,
              "compared": "the terminal's totals against the journal's for shift 1",
              "terminal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 100000
              },
              "journal": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 100000
              },
              "difference": {
                "purchase_count": 0,
                "purchase_amount": 0,
                "return_count": 0,
                "return_amount": 0
              },
              "terminal_host_reconciliation": {
                "result": "matched",
                "printed": [
                  "Итоги совпали"
                ],
                "meaning": "the terminal's own reconciliation with its bank host, as its report prints it; not a comparison with PayBridge's journal"
              }
            }
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard_close?terminal=no such terminal"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (terminal). Ничего не выполнено; сообщите администратору кассы.",
            "data": "terminal: must be a configured terminal id",
            "problems": [
              "terminal: must be a configured terminal id"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/uzcard_close/print_last": [
      {
        "name": "last shift report",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard_close/print_last?terminal=uzcard-sandbox"
        },
        "status": 200,
        "answer": {
          "data": {
            "message": "           OOO TEST TIME\n           Сверка итогов\n        Отчет закрытия смены\nID Терминала:               00000013\nНомер смены                        1\nДата:            2026-11-26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 1 шт.    1000.00 UZS\nИтого:                   2700.00 UZS\n           Итоги совпали\n====================================\n",
            "ppt_id": null,
            "terminal": "uzcard-sandbox",
            "source": "terminal"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/uzcard_close/print_last?terminal=no such terminal"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (terminal). Ничего не выполнено; сообщите администратору кассы.",
            "data": "terminal: must be a configured terminal id",
            "problems": [
              "terminal: must be a configured terminal id"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/transactions": [
      {
        "name": "a page",
        "request": {
          "method": "GET",
          "url": "/payment/transactions?method=click&limit=2"
        },
        "status": 200,
        "answer": {
          "data": {
            "items": [
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000004",
                "method": "click",
                "status": "succeeded",
                "amount": 100000,
                "qr_code": null,
                "payment_id": null,
                "client_phone_number": null,
                "message": null,
                "refunded_amount": 0,
                "kind": "refund",
                "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
                "terminal": null,
                "receipt_number": null,
                "shift_number": null,
                "shop": "chilonzor-1",
                "till": "3",
                "instance": "till-3",
                "error": null,
                "created_at": "2026-11-26T05:00:07.000Z",
                "updated_at": "2026-11-26T05:00:08.000Z"
              },
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000003",
                "method": "click",
                "status": "succeeded",
                "amount": 50000,
                "qr_code": null,
                "payment_id": null,
                "client_phone_number": null,
                "message": null,
                "refunded_amount": 0,
                "kind": "refund",
                "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
                "terminal": null,
                "receipt_number": null,
                "shift_number": null,
                "shop": "chilonzor-1",
                "till": "3",
                "instance": "till-3",
                "error": null,
                "created_at": "2026-11-26T05:00:05.000Z",
                "updated_at": "2026-11-26T05:00:06.000Z"
              }
            ],
            "next_cursor": "MTc5NTY2OTIwMTAwMDpkMGM1ZTdhMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDM",
            "timezone": "Asia/Tashkent"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/transactions?limit=0"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (limit). Ничего не выполнено; сообщите администратору кассы.",
            "data": "limit: must be an integer from 1 to 500",
            "problems": [
              "limit: must be an integer from 1 to 500"
            ]
          },
          "is_success": false
        }
      },
      {
        "name": "give-backs",
        "request": {
          "method": "GET",
          "url": "/payment/transactions?kind=give_back&limit=2"
        },
        "status": 200,
        "answer": {
          "data": {
            "items": [
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000006",
                "method": "click",
                "status": "unknown",
                "amount": 30000,
                "qr_code": null,
                "payment_id": null,
                "client_phone_number": null,
                "message": null,
                "refunded_amount": 0,
                "kind": "refund",
                "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000005",
                "terminal": null,
                "receipt_number": null,
                "shift_number": null,
                "shop": "chilonzor-1",
                "till": "3",
                "instance": "till-3",
                "error": {
                  "code": 104,
                  "message": "BILLING_ERROR",
                  "data": "OUTCOME_UNKNOWN"
                },
                "created_at": "2026-11-26T05:00:15.000Z",
                "updated_at": "2026-11-26T05:00:16.000Z"
              },
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000021",
                "method": "uzcard",
                "status": "succeeded",
                "amount": 100000,
                "qr_code": null,
                "payment_id": "600000000007",
                "client_phone_number": null,
                "message": null,
                "refunded_amount": 0,
                "kind": "refund",
                "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000019",
                "terminal": "uzcard-sandbox",
                "receipt_number": 3,
                "shift_number": 1,
                "shop": "chilonzor-1",
                "till": "3",
                "instance": "till-3",
                "error": null,
                "created_at": "2026-11-26T05:00:11.000Z",
                "updated_at": "2026-11-26T05:00:12.000Z"
              }
            ],
            "next_cursor": "MTc5NTY2OTIwNDAwMDpkMGM1ZTdhMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMjE",
            "timezone": "Asia/Tashkent"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "date with from (7)",
        "request": {
          "method": "GET",
          "url": "/payment/transactions?date=2026-11-26&from=2026-11-26"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (date). Ничего не выполнено; сообщите администратору кассы.",
            "data": "date: give either date or from/to, not both",
            "problems": [
              "date: give either date or from/to, not both"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/transactions/{transaction_id}": [
      {
        "name": "a payment with its timeline",
        "request": {
          "method": "GET",
          "url": "/payment/transactions/d0c5e7a0-0000-4000-8000-000000000001"
        },
        "status": 200,
        "answer": {
          "data": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000001",
            "method": "click",
            "status": "refunded",
            "amount": 150000,
            "qr_code": "************3392",
            "payment_id": "2170000001",
            "client_phone_number": "998903496384",
            "message": "Успешно подтвержден",
            "refunded_amount": 150000,
            "kind": "payment",
            "original_transaction_id": null,
            "terminal": null,
            "receipt_number": null,
            "shift_number": null,
            "shop": "chilonzor-1",
            "till": "3",
            "instance": "till-3",
            "error": null,
            "created_at": "2026-11-26T05:00:01.000Z",
            "updated_at": "2026-11-26T05:00:08.000Z",
            "held_by": null,
            "conflicts": [],
            "slip": null,
            "fiscal": {
              "state": "submitted",
              "qr_code": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901",
              "attempts": 1,
              "next_attempt_at": null,
              "last_error": null,
              "updated_at": "2026-11-26T05:00:04.000Z"
            },
            "events": [
              {
                "at": "2026-11-26T05:00:01.000Z",
                "status": "pending",
                "step": "received",
                "detail": {
                  "amount": 150000,
                  "qr_code": "************3392",
                  "prepared": {
                    "confirmation_mode": {
                      "kind": "reply",
                      "reply": {
                        "error_code": 0,
                        "error_note": "Успешно"
                      }
                    }
                  }
                }
              },
              {
                "at": "2026-11-26T05:00:02.000Z",
                "status": "pending",
                "step": "payment_created",
                "detail": {
                  "error_code": 0,
                  "error_note": "Платеж в обработке",
                  "payment_id": 2170000001,
                  "payment_status": 1,
                  "confirm_mode": 1,
                  "card_type": "private",
                  "processing_type": "UZCARD",
                  "card_number": "**0049******0683",
                  "phone_number": "998903496384"
                }
              },
              {
                "at": "2026-11-26T05:00:03.000Z",
                "status": "succeeded",
                "step": "succeeded",
                "detail": {
                  "confirmed": {
                    "error_code": 0,
                    "error_note": "Успешно подтвержден"
                  },
                  "status": {
                    "error_code": 0,
                    "error_note": "Успешно подтвержден",
                    "payment_id": 2170000001,
                    "payment_status": 2
                  }
                }
              },
              {
                "at": "2026-11-26T05:00:06.000Z",
                "status": "succeeded",
                "step": "refunded",
                "detail": {
                  "give_back_id": "d0c5e7a0-0000-4000-8000-000000000003",
                  "amount": 50000,
                  "given_back": 50000,
                  "rrn": null
                }
              },
              {
                "at": "2026-11-26T05:00:08.000Z",
                "status": "refunded",
                "step": "refunded",
                "detail": {
                  "give_back_id": "d0c5e7a0-0000-4000-8000-000000000004",
                  "amount": 100000,
                  "given_back": 150000,
                  "rrn": null
                }
              }
            ],
            "give_backs": [
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000003",
                "kind": "refund",
                "status": "succeeded",
                "amount": 50000,
                "created_at": "2026-11-26T05:00:05.000Z",
                "updated_at": "2026-11-26T05:00:06.000Z",
                "error": null
              },
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000004",
                "kind": "refund",
                "status": "succeeded",
                "amount": 100000,
                "created_at": "2026-11-26T05:00:07.000Z",
                "updated_at": "2026-11-26T05:00:08.000Z",
                "error": null
              }
            ],
            "remaining_amount": 0
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "not in the journal (106)",
        "request": {
          "method": "GET",
          "url": "/payment/transactions/00000000-0000-4000-8000-000000000000"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.",
            "data": "Transaction 00000000-0000-4000-8000-000000000000 is not in the journal.",
            "reason": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.",
            "transaction_id": "00000000-0000-4000-8000-000000000000"
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/transactions/12345"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (transaction_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "transaction_id: must be a transaction id (UUID)",
            "problems": [
              "transaction_id: must be a transaction id (UUID)"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/recovery/run": [
      {
        "name": "settled what it could",
        "request": {
          "method": "POST",
          "url": "/payment/recovery/run",
          "body": {}
        },
        "status": 200,
        "answer": {
          "data": {
            "settled": 0,
            "pending": 0,
            "unknown": 1,
            "unknown_transactions": [
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000006",
                "method": "click",
                "amount": 30000,
                "created_at": "2026-11-26T05:00:15.000Z"
              }
            ],
            "fiscal_handoffs_pending": 0,
            "fiscal_handoffs_unknown": 0
          },
          "error": null,
          "is_success": true
        }
      }
    ],
    "GET /payment/attention": [
      {
        "name": "waiting for an operator",
        "request": {
          "method": "GET",
          "url": "/payment/attention"
        },
        "status": 200,
        "answer": {
          "data": {
            "count": 1,
            "unknown": [
              {
                "transaction_id": "d0c5e7a0-0000-4000-8000-000000000006",
                "method": "click",
                "status": "unknown",
                "amount": 30000,
                "qr_code": null,
                "payment_id": null,
                "client_phone_number": null,
                "message": null,
                "refunded_amount": 0,
                "kind": "refund",
                "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000005",
                "terminal": null,
                "receipt_number": null,
                "shift_number": null,
                "shop": "chilonzor-1",
                "till": "3",
                "instance": "till-3",
                "error": {
                  "code": 104,
                  "message": "BILLING_ERROR",
                  "data": "OUTCOME_UNKNOWN"
                },
                "created_at": "2026-11-26T05:00:15.000Z",
                "updated_at": "2026-11-26T05:00:16.000Z"
              }
            ],
            "unknown_count": 1,
            "mismatched": [],
            "mismatched_count": 0,
            "conflicts": [],
            "conflicts_count": 0,
            "unknown_closes": [],
            "unknown_closes_count": 0,
            "wallet_discrepancies": [],
            "wallet_discrepancies_count": 0
          },
          "error": null,
          "is_success": true
        }
      }
    ],
    "POST /payment/transactions/{transaction_id}/resolve": [
      {
        "name": "decided",
        "request": {
          "method": "POST",
          "url": "/payment/transactions/d0c5e7a0-0000-4000-8000-000000000006/resolve",
          "body": {
            "status": "succeeded",
            "operator": "Dilnoza (manager)",
            "reason": "seen in the Click merchant cabinet"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000006",
            "method": "click",
            "status": "succeeded",
            "amount": 30000,
            "qr_code": null,
            "payment_id": null,
            "client_phone_number": null,
            "message": null,
            "refunded_amount": 0,
            "kind": "refund",
            "original_transaction_id": "d0c5e7a0-0000-4000-8000-000000000005",
            "terminal": null,
            "receipt_number": null,
            "shift_number": null,
            "shop": "chilonzor-1",
            "till": "3",
            "instance": "till-3",
            "error": {
              "code": 104,
              "message": "BILLING_ERROR",
              "data": "OUTCOME_UNKNOWN"
            },
            "created_at": "2026-11-26T05:00:15.000Z",
            "updated_at": "2026-11-26T05:00:17.000Z"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "not unknown (106)",
        "request": {
          "method": "POST",
          "url": "/payment/transactions/d0c5e7a0-0000-4000-8000-000000000006/resolve",
          "body": {
            "status": "failed",
            "operator": "Dilnoza (manager)",
            "reason": "changed my mind"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Транзакция d0c5e7a0-0000-4000-8000-000000000006 — успешен; решение оператора нужно только для неизвестного результата.",
            "data": "Transaction d0c5e7a0-0000-4000-8000-000000000006 is succeeded; only an unknown outcome is an operator’s to decide.",
            "reason": "Транзакция d0c5e7a0-0000-4000-8000-000000000006 — успешен; решение оператора нужно только для неизвестного результата.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000006",
            "transaction_status": "succeeded"
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/transactions/d0c5e7a0-0000-4000-8000-000000000006/resolve",
          "body": {
            "status": "paid",
            "operator": "",
            "reason": ""
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (status, operator, reason). Ничего не выполнено; сообщите администратору кассы.",
            "data": "status: must be succeeded or failed; operator: must name who decides (1 to 100 characters); reason: must say why (3 to 1000 characters), e.g. what the provider’s cabinet or the pinpad showed",
            "problems": [
              "status: must be succeeded or failed",
              "operator: must name who decides (1 to 100 characters)",
              "reason: must say why (3 to 1000 characters), e.g. what the provider’s cabinet or the pinpad showed"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/transactions/{transaction_id}/refund": [
      {
        "name": "given back",
        "request": {
          "method": "POST",
          "url": "/payment/transactions/d0c5e7a0-0000-4000-8000-000000000024/refund",
          "body": {
            "amount": 20000,
            "operator": "Dilnoza (manager)"
          },
          "headers": {
            "idempotency-key": "docs-operator-1"
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "status": "successfully",
            "message": "Частичный возврат выполнен",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000024",
            "payment_id": "2170000003",
            "amount": 20000,
            "refunded_amount": 20000,
            "remaining_amount": 40000,
            "transaction_status": "succeeded",
            "give_back_id": "d0c5e7a0-0000-4000-8000-000000000025"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "more than remains (106)",
        "request": {
          "method": "POST",
          "url": "/payment/transactions/d0c5e7a0-0000-4000-8000-000000000024/refund",
          "body": {
            "amount": 999900
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Нельзя вернуть 9 999,00 сум: из 600,00 сум осталось только 400,00 сум.",
            "data": "Cannot give back 9,999.00 soum: only 400.00 soum of the 600.00 soum paid remain.",
            "reason": "Нельзя вернуть 9 999,00 сум: из 600,00 сум осталось только 400,00 сум.",
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000024",
            "transaction_status": "succeeded",
            "remaining_amount": 40000,
            "refunded_amount": 20000,
            "reserved_amount": 0
          },
          "is_success": false
        }
      },
      {
        "name": "not in the journal (106)",
        "request": {
          "method": "POST",
          "url": "/payment/transactions/00000000-0000-4000-8000-000000000000/refund",
          "body": {}
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.",
            "data": "Transaction 00000000-0000-4000-8000-000000000000 is not in the journal.",
            "reason": "Транзакции 00000000-0000-4000-8000-000000000000 нет в журнале.",
            "transaction_id": "00000000-0000-4000-8000-000000000000"
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/transactions/d0c5e7a0-0000-4000-8000-000000000024/refund",
          "body": {
            "amount": 0
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (amount). Ничего не выполнено; сообщите администратору кассы.",
            "data": "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000",
            "problems": [
              "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/summary": [
      {
        "name": "today",
        "request": {
          "method": "GET",
          "url": "/payment/summary"
        },
        "status": 200,
        "answer": {
          "data": {
            "date": "2026-11-26",
            "timezone": "Asia/Tashkent",
            "from": "2026-11-25T19:00:00.000Z",
            "to": "2026-11-26T19:00:00.000Z",
            "shop": null,
            "till": null,
            "this_till": {
              "shop": "chilonzor-1",
              "till": "3"
            },
            "tills": [
              {
                "shop": "chilonzor-1",
                "till": "3"
              }
            ],
            "methods": [
              {
                "method": "click",
                "paid_count": 3,
                "paid_amount": 290000,
                "returned_amount": 200000,
                "returned_count": 4,
                "net_amount": 90000,
                "failed_count": 1,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "payme",
                "paid_count": 1,
                "paid_amount": 150000,
                "returned_amount": 150000,
                "returned_count": 1,
                "net_amount": 0,
                "failed_count": 1,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "uzum",
                "paid_count": 1,
                "paid_amount": 150000,
                "returned_amount": 150000,
                "returned_count": 1,
                "net_amount": 0,
                "failed_count": 1,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "humo",
                "paid_count": 2,
                "paid_amount": 370000,
                "returned_amount": 250000,
                "returned_count": 1,
                "net_amount": 120000,
                "failed_count": 2,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "uzcard",
                "paid_count": 2,
                "paid_amount": 370000,
                "returned_amount": 100000,
                "returned_count": 1,
                "net_amount": 270000,
                "failed_count": 2,
                "pending_count": 0,
                "unknown_count": 0
              }
            ],
            "terminals": [
              {
                "terminal": "humo-sandbox",
                "method": "humo",
                "shift_number": 2,
                "shift_open": false,
                "totals": {
                  "purchase_count": 0,
                  "purchase_amount": 0,
                  "return_count": 0,
                  "return_amount": 0
                }
              },
              {
                "terminal": "uzcard-sandbox",
                "method": "uzcard",
                "shift_number": 2,
                "shift_open": false,
                "totals": {
                  "purchase_count": 0,
                  "purchase_amount": 0,
                  "return_count": 0,
                  "return_amount": 0
                }
              }
            ],
            "hourly": [
              {
                "hour": 0,
                "from": "2026-11-25T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 1,
                "from": "2026-11-25T20:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 2,
                "from": "2026-11-25T21:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 3,
                "from": "2026-11-25T22:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 4,
                "from": "2026-11-25T23:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 5,
                "from": "2026-11-26T00:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 6,
                "from": "2026-11-26T01:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 7,
                "from": "2026-11-26T02:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 8,
                "from": "2026-11-26T03:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 9,
                "from": "2026-11-26T04:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 10,
                "from": "2026-11-26T05:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 11,
                "from": "2026-11-26T06:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 12,
                "from": "2026-11-26T07:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 13,
                "from": "2026-11-26T08:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 14,
                "from": "2026-11-26T09:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 15,
                "from": "2026-11-26T10:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 16,
                "from": "2026-11-26T11:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 17,
                "from": "2026-11-26T12:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 18,
                "from": "2026-11-26T13:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 19,
                "from": "2026-11-26T14:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 20,
                "from": "2026-11-26T15:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 21,
                "from": "2026-11-26T16:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 22,
                "from": "2026-11-26T17:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 3,
                    "paid_amount": 290000,
                    "returned_amount": 200000,
                    "net_amount": 90000
                  },
                  "payme": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 250000,
                    "net_amount": 120000
                  },
                  "uzcard": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 100000,
                    "net_amount": 270000
                  }
                }
              },
              {
                "hour": 23,
                "from": "2026-11-26T18:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              }
            ],
            "days": [
              {
                "date": "2026-11-30",
                "from": "2026-11-19T19:00:00.000Z",
                "to": "2026-11-20T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-01",
                "from": "2026-11-20T19:00:00.000Z",
                "to": "2026-11-21T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-02",
                "from": "2026-11-21T19:00:00.000Z",
                "to": "2026-11-22T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-03",
                "from": "2026-11-22T19:00:00.000Z",
                "to": "2026-11-23T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-04",
                "from": "2026-11-23T19:00:00.000Z",
                "to": "2026-11-24T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-05",
                "from": "2026-11-24T19:00:00.000Z",
                "to": "2026-11-25T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-11-26",
                "from": "2026-11-25T19:00:00.000Z",
                "to": "2026-11-26T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 3,
                    "paid_amount": 290000,
                    "returned_amount": 200000,
                    "net_amount": 90000
                  },
                  "payme": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 250000,
                    "net_amount": 120000
                  },
                  "uzcard": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 100000,
                    "net_amount": 270000
                  }
                }
              }
            ]
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/summary?date=2026-02-30"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (date). Ничего не выполнено; сообщите администратору кассы.",
            "data": "date: 2026-02-30 is not a calendar date",
            "problems": [
              "date: 2026-02-30 is not a calendar date"
            ]
          },
          "is_success": false
        }
      },
      {
        "name": "too many days (7)",
        "request": {
          "method": "GET",
          "url": "/payment/summary?days=32"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (days). Ничего не выполнено; сообщите администратору кассы.",
            "data": "days: must be an integer from 1 to 31",
            "problems": [
              "days: must be an integer from 1 to 31"
            ]
          },
          "is_success": false
        }
      },
      {
        "name": "one till",
        "request": {
          "method": "GET",
          "url": "/payment/summary?shop=chilonzor-1&till=3"
        },
        "status": 200,
        "answer": {
          "data": {
            "date": "2026-11-26",
            "timezone": "Asia/Tashkent",
            "from": "2026-11-25T19:00:00.000Z",
            "to": "2026-11-26T19:00:00.000Z",
            "shop": "chilonzor-1",
            "till": "3",
            "this_till": {
              "shop": "chilonzor-1",
              "till": "3"
            },
            "tills": [
              {
                "shop": "chilonzor-1",
                "till": "3"
              }
            ],
            "methods": [
              {
                "method": "click",
                "paid_count": 3,
                "paid_amount": 290000,
                "returned_amount": 200000,
                "returned_count": 4,
                "net_amount": 90000,
                "failed_count": 1,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "payme",
                "paid_count": 1,
                "paid_amount": 150000,
                "returned_amount": 150000,
                "returned_count": 1,
                "net_amount": 0,
                "failed_count": 1,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "uzum",
                "paid_count": 1,
                "paid_amount": 150000,
                "returned_amount": 150000,
                "returned_count": 1,
                "net_amount": 0,
                "failed_count": 1,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "humo",
                "paid_count": 2,
                "paid_amount": 370000,
                "returned_amount": 250000,
                "returned_count": 1,
                "net_amount": 120000,
                "failed_count": 2,
                "pending_count": 0,
                "unknown_count": 0
              },
              {
                "method": "uzcard",
                "paid_count": 2,
                "paid_amount": 370000,
                "returned_amount": 100000,
                "returned_count": 1,
                "net_amount": 270000,
                "failed_count": 2,
                "pending_count": 0,
                "unknown_count": 0
              }
            ],
            "terminals": [
              {
                "terminal": "humo-sandbox",
                "method": "humo",
                "shift_number": 2,
                "shift_open": false,
                "totals": {
                  "purchase_count": 0,
                  "purchase_amount": 0,
                  "return_count": 0,
                  "return_amount": 0
                }
              },
              {
                "terminal": "uzcard-sandbox",
                "method": "uzcard",
                "shift_number": 2,
                "shift_open": false,
                "totals": {
                  "purchase_count": 0,
                  "purchase_amount": 0,
                  "return_count": 0,
                  "return_amount": 0
                }
              }
            ],
            "hourly": [
              {
                "hour": 0,
                "from": "2026-11-25T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 1,
                "from": "2026-11-25T20:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 2,
                "from": "2026-11-25T21:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 3,
                "from": "2026-11-25T22:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 4,
                "from": "2026-11-25T23:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 5,
                "from": "2026-11-26T00:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 6,
                "from": "2026-11-26T01:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 7,
                "from": "2026-11-26T02:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 8,
                "from": "2026-11-26T03:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 9,
                "from": "2026-11-26T04:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 10,
                "from": "2026-11-26T05:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 11,
                "from": "2026-11-26T06:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 12,
                "from": "2026-11-26T07:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 13,
                "from": "2026-11-26T08:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 14,
                "from": "2026-11-26T09:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 15,
                "from": "2026-11-26T10:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 16,
                "from": "2026-11-26T11:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 17,
                "from": "2026-11-26T12:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 18,
                "from": "2026-11-26T13:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 19,
                "from": "2026-11-26T14:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 20,
                "from": "2026-11-26T15:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 21,
                "from": "2026-11-26T16:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "hour": 22,
                "from": "2026-11-26T17:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 3,
                    "paid_amount": 290000,
                    "returned_amount": 200000,
                    "net_amount": 90000
                  },
                  "payme": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 250000,
                    "net_amount": 120000
                  },
                  "uzcard": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 100000,
                    "net_amount": 270000
                  }
                }
              },
              {
                "hour": 23,
                "from": "2026-11-26T18:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              }
            ],
            "days": [
              {
                "date": "2026-11-30",
                "from": "2026-11-19T19:00:00.000Z",
                "to": "2026-11-20T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-01",
                "from": "2026-11-20T19:00:00.000Z",
                "to": "2026-11-21T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-02",
                "from": "2026-11-21T19:00:00.000Z",
                "to": "2026-11-22T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-03",
                "from": "2026-11-22T19:00:00.000Z",
                "to": "2026-11-23T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-04",
                "from": "2026-11-23T19:00:00.000Z",
                "to": "2026-11-24T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-12-05",
                "from": "2026-11-24T19:00:00.000Z",
                "to": "2026-11-25T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "payme": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  },
                  "uzcard": {
                    "paid_count": 0,
                    "paid_amount": 0,
                    "returned_amount": 0,
                    "net_amount": 0
                  }
                }
              },
              {
                "date": "2026-11-26",
                "from": "2026-11-25T19:00:00.000Z",
                "to": "2026-11-26T19:00:00.000Z",
                "methods": {
                  "click": {
                    "paid_count": 3,
                    "paid_amount": 290000,
                    "returned_amount": 200000,
                    "net_amount": 90000
                  },
                  "payme": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "uzum": {
                    "paid_count": 1,
                    "paid_amount": 150000,
                    "returned_amount": 150000,
                    "net_amount": 0
                  },
                  "humo": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 250000,
                    "net_amount": 120000
                  },
                  "uzcard": {
                    "paid_count": 2,
                    "paid_amount": 370000,
                    "returned_amount": 100000,
                    "net_amount": 270000
                  }
                }
              }
            ]
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad till (7)",
        "request": {
          "method": "GET",
          "url": "/payment/summary?till="
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (till). Ничего не выполнено; сообщите администратору кассы.",
            "data": "till: must be a till name of 1 to 64 characters, as instance.till names it",
            "problems": [
              "till: must be a till name of 1 to 64 characters, as instance.till names it"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/terminals": [
      {
        "name": "the terminals",
        "request": {
          "method": "GET",
          "url": "/payment/terminals"
        },
        "status": 200,
        "answer": {
          "data": [
            {
              "id": "humo-sandbox",
              "method": "humo",
              "driver": "arcus2",
              "default": true,
              "state": "idle",
              "queue_depth": 0,
              "last_answer_at": "2026-11-26T05:00:10.000Z",
              "last_error": null,
              "shift_number": 2,
              "last_close": {
                "state": "closed",
                "closed_at": "2026-11-26T05:00:09.000Z",
                "shift_number": 1,
                "matched": true
              }
            },
            {
              "id": "uzcard-sandbox",
              "method": "uzcard",
              "driver": "bridge",
              "default": true,
              "state": "idle",
              "queue_depth": 0,
              "last_answer_at": "2026-11-26T05:00:14.000Z",
              "last_error": null,
              "shift_number": 2,
              "last_close": {
                "state": "closed",
                "closed_at": "2026-11-26T05:00:13.000Z",
                "shift_number": 1,
                "matched": true
              }
            }
          ],
          "error": null,
          "is_success": true
        }
      }
    ],
    "GET /payment/shift-closes": [
      {
        "name": "reconciliations",
        "request": {
          "method": "GET",
          "url": "/payment/shift-closes?limit=2"
        },
        "status": 200,
        "answer": {
          "data": [
            {
              "id": "d0c5e7a0-0000-4000-8000-000000000026",
              "state": "closed",
              "terminal": "uzcard-sandbox",
              "shift_number": 1,
              "closed_at": "2026-11-26T05:00:13.000Z",
              "matched": true,
              "mismatch": false,
              "reason": null,
              "terminal_host_reconciliation": {
                "result": "matched",
                "printed": [
                  "Итоги совпали"
                ]
              },
              "terminal_totals": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 100000
              },
              "journal_totals": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 100000
              },
              "difference": {
                "purchase_count": 0,
                "purchase_amount": 0,
                "return_count": 0,
                "return_amount": 0
              },
              "report": "           OOO TEST TIME\n           Сверка итогов\n        Отчет закрытия смены\nID Терминала:               00000013\nНомер смены                        1\nДата:            2026-11-26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 1 шт.    1000.00 UZS\nИтого:                   2700.00 UZS\n           Итоги совпали\n====================================\n"
            },
            {
              "id": "d0c5e7a0-0000-4000-8000-000000000027",
              "state": "closed",
              "terminal": "humo-sandbox",
              "shift_number": 1,
              "closed_at": "2026-11-26T05:00:09.000Z",
              "matched": true,
              "mismatch": false,
              "reason": null,
              "terminal_host_reconciliation": {
                "result": "matched",
                "printed": [
                  "Итоги совпали"
                ]
              },
              "terminal_totals": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 250000
              },
              "journal_totals": {
                "purchase_count": 2,
                "purchase_amount": 370000,
                "return_count": 1,
                "return_amount": 250000
              },
              "difference": {
                "purchase_count": 0,
                "purchase_amount": 0,
                "return_count": 0,
                "return_amount": 0
              },
              "report": "           ОБЫЧНЫЙ ТОВАР\n           Сверка итогов\n        Отчет закрытия смены\nID Терминала:               01000002\nНомер смены                        1\nДата:              26/11/26 10:15:00\nОплата: 2 шт.            3700.00 UZS\nОтмена/Возврат: 1 шт.    2500.00 UZS\nИтого:                   1200.00 UZS\n           Итоги совпали\n====================================\n"
            }
          ],
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/shift-closes?limit=0"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (limit). Ничего не выполнено; сообщите администратору кассы.",
            "data": "limit: must be an integer from 1 to 200",
            "problems": [
              "limit: must be an integer from 1 to 200"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/reconciliation/wallets": [
      {
        "name": "the day",
        "request": {
          "method": "POST",
          "url": "/payment/reconciliation/wallets",
          "body": {
            "date": "today",
            "methods": [
              "payme"
            ]
          }
        },
        "status": 200,
        "answer": {
          "data": {
            "reconciliation_id": "d0c5e7a0-0000-4000-8000-000000000028",
            "date": "2026-11-26",
            "state": "done",
            "result": "match",
            "discrepancy_count": 0,
            "not_confirmed_count": 0,
            "methods": {
              "payme": {
                "journal": {
                  "count": 1,
                  "amount": 0
                },
                "provider": {
                  "count": 1,
                  "amount": 0
                },
                "matched": 2,
                "not_confirmed": 0
              }
            },
            "discrepancies": [],
            "questions": 3,
            "resumed": false,
            "started_at": "2026-11-26T05:00:18.000Z",
            "finished_at": "2026-11-26T05:00:19.000Z"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/reconciliation/wallets",
          "body": {
            "date": "2026-02-30"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (date). Ничего не выполнено; сообщите администратору кассы.",
            "data": "date: 2026-02-30 is not a calendar date",
            "problems": [
              "date: 2026-02-30 is not a calendar date"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/reconciliation/wallets": [
      {
        "name": "the day",
        "request": {
          "method": "GET",
          "url": "/payment/reconciliation/wallets?date=today"
        },
        "status": 200,
        "answer": {
          "data": {
            "reconciliation_id": "d0c5e7a0-0000-4000-8000-000000000028",
            "date": "2026-11-26",
            "state": "done",
            "result": "match",
            "discrepancy_count": 0,
            "not_confirmed_count": 0,
            "methods": {
              "payme": {
                "journal": {
                  "count": 1,
                  "amount": 0
                },
                "provider": {
                  "count": 1,
                  "amount": 0
                },
                "matched": 2,
                "not_confirmed": 0
              }
            },
            "discrepancies": [],
            "questions": 3,
            "resumed": false,
            "started_at": "2026-11-26T05:00:18.000Z",
            "finished_at": "2026-11-26T05:00:19.000Z"
          },
          "error": null,
          "is_success": true
        }
      },
      {
        "name": "not run yet (106)",
        "request": {
          "method": "GET",
          "url": "/payment/reconciliation/wallets?date=2001-01-01"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 106,
            "message": "Сверки с кошельками за 2001-01-01 ещё не было. Запустите её: POST /payment/reconciliation/wallets.",
            "data": "No wallet reconciliation of 2001-01-01 has run yet. Start one: POST /payment/reconciliation/wallets.",
            "reason": "Сверки с кошельками за 2001-01-01 ещё не было. Запустите её: POST /payment/reconciliation/wallets."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/reconciliation/wallets?date=2026-02-30"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (date). Ничего не выполнено; сообщите администратору кассы.",
            "data": "date: 2026-02-30 is not a calendar date",
            "problems": [
              "date: 2026-02-30 is not a calendar date"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/one_qr/create": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/create",
          "body": {
            "external_id": "EXT001",
            "amount": "100.00",
            "print": false,
            "banners": []
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "UzQR endpoint not configured",
            "reason": "UzQR не подключён к этому PayBridge: опубликованной спецификации API UzQR нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/create",
          "body": {
            "external_id": "EXT001",
            "amount": "100,00"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (amount). Ничего не выполнено; сообщите администратору кассы.",
            "data": "amount: must be a positive amount in soum written with a dot, at most two decimals (e.g. \"100.00\"), as FiscalBox documents it",
            "problems": [
              "amount: must be a positive amount in soum written with a dot, at most two decimals (e.g. \"100.00\"), as FiscalBox documents it"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/one_qr/status": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "GET",
          "url": "/payment/one_qr/status?invoice_id=INVC134B7FEFED34BC3B470B8"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "UzQR endpoint not configured",
            "reason": "UzQR не подключён к этому PayBridge: опубликованной спецификации API UzQR нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/one_qr/status"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (invoice_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "invoice_id: is required",
            "problems": [
              "invoice_id: is required"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/one_qr/receipt": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/receipt",
          "body": {
            "pay_id": "PAY12345678901234567",
            "fiscal_receipt_url": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "UzQR endpoint not configured",
            "reason": "UzQR не подключён к этому PayBridge: опубликованной спецификации API UzQR нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/receipt",
          "body": {
            "pay_id": "PAY12345678901234567"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (fiscal_receipt_url). Ничего не выполнено; сообщите администратору кассы.",
            "data": "fiscal_receipt_url: is required",
            "problems": [
              "fiscal_receipt_url: is required"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/one_qr/cancel": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/cancel",
          "body": {
            "invoice_id": "INV8D1EBF7CDCBA44E7BF90D3"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "UzQR endpoint not configured",
            "reason": "UzQR не подключён к этому PayBridge: опубликованной спецификации API UzQR нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/cancel",
          "body": {}
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (invoice_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "invoice_id: is required",
            "problems": [
              "invoice_id: is required"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/one_qr/refund": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/refund",
          "body": {
            "pay_id": "PAY123456",
            "amount": "100.00"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "UzQR endpoint not configured",
            "reason": "UzQR не подключён к этому PayBridge: опубликованной спецификации API UzQR нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/one_qr/refund",
          "body": {
            "pay_id": "PAY123456",
            "amount": "100,00"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (amount). Ничего не выполнено; сообщите администратору кассы.",
            "data": "amount: must be a positive amount in soum written with a dot, at most two decimals (e.g. \"100.00\"), as FiscalBox documents it",
            "problems": [
              "amount: must be a positive amount in soum written with a dot, at most two decimals (e.g. \"100.00\"), as FiscalBox documents it"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /payment/one_qr/refund/status": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "GET",
          "url": "/payment/one_qr/refund/status?refund_id=REFF5149C4B458F4D7FB"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "UzQR endpoint not configured",
            "reason": "UzQR не подключён к этому PayBridge: опубликованной спецификации API UzQR нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "GET",
          "url": "/payment/one_qr/refund/status"
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (refund_id). Ничего не выполнено; сообщите администратору кассы.",
            "data": "refund_id: is required",
            "problems": [
              "refund_id: is required"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/anor": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "POST",
          "url": "/payment/anor",
          "body": {
            "amount": 50000,
            "qr_code": "880106198207133395"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "Anorbank endpoint not configured",
            "reason": "Anorbank не подключён к этому PayBridge: опубликованной спецификации API Anorbank нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/anor",
          "body": {
            "amount": -5,
            "qr_code": "880106198207133395"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (amount). Ничего не выполнено; сообщите администратору кассы.",
            "data": "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000",
            "problems": [
              "amount: must be a positive integer number of tiyin (1 soum = 100 tiyin), at most 10000000000"
            ]
          },
          "is_success": false
        }
      }
    ],
    "POST /payment/anor_confirm": [
      {
        "name": "not configured (104)",
        "request": {
          "method": "POST",
          "url": "/payment/anor_confirm",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000029",
            "qr_code": "https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261126150102&s=512345678901"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 104,
            "message": "BILLING_ERROR",
            "data": "Anorbank endpoint not configured",
            "reason": "Anorbank не подключён к этому PayBridge: опубликованной спецификации API Anorbank нет, подключать не по чему. Ничего не отправлено и ничего не изменено; примите оплату другим способом."
          },
          "is_success": false
        }
      },
      {
        "name": "bad request (7)",
        "request": {
          "method": "POST",
          "url": "/payment/anor_confirm",
          "body": {
            "transaction_id": "d0c5e7a0-0000-4000-8000-000000000029"
          }
        },
        "status": 200,
        "answer": {
          "data": null,
          "error": {
            "code": 7,
            "message": "Касса отправила неверный запрос (qr_code). Ничего не выполнено; сообщите администратору кассы.",
            "data": "qr_code: is required",
            "problems": [
              "qr_code: is required"
            ]
          },
          "is_success": false
        }
      }
    ],
    "GET /metrics": [
      {
        "name": "metrics",
        "request": {
          "method": "GET",
          "url": "/metrics"
        },
        "status": 200,
        "text": "# HELP paybridge_http_requests_total Requests answered, by route and outcome (ok, or error_<code> from the envelope).\n# TYPE paybridge_http_requests_total counter\npaybridge_http_requests_total{route=\"/health\",method=\"GET\",outcome=\"ok\"} 1\npaybridge_http_requests_total{route=\"/payment/click\",method=\"POST\",outcome=\"ok\"} 3\npaybridge_http_requests_total{route=\"/payment/click\",method=\"POST\",outcome=\"error_104\"} 1\npaybridge_http_requests_total{route=\"/payment/click\",method=\"POST\",outcome=\"error_7\"} 1\npaybridge_http_requests_total{route=\"/payment/click_confirm\",method=\"POST\",outcome=\"ok\"} 1\npaybridge_http_requests_total{route=\"/payment/click_confirm\",method=\"POST\",outcome=\"error_7\"} 1\npaybridge_http_requests_total{route=\"/payment/click_cancel\",method=\"POST\",outcome=\"ok\"} 2\npaybridge_http_requests_total{route=\"/payment/click_cancel\",method=\"POST\",outcome=\"error_106\"} 2\npaybridge_http_requests_total{route=\"/payment/click_cancel\",method=\"POST\",outcome=\"error_7\"} 1\npaybridge_http_requests_total{route=\"/payment/payme\",method=\"POST\",outcome=\"ok\"} 1\npaybridge_http_requests_total{route=\"/payment/payme\",method=\"POST\",outcome=\"error_104\"} 1\npaybridge_http_requests_total{route=\"/payment/payme\",method=\"POST\",outcome=\"error_7\"} 1"
      }
    ]
  }
};
