/** The admin panel in Russian (Fluent FTL; the ids and arguments are spec.ts's). Written as a Russian speaker would say it, not word for word. */
export const RU = `
page-title = { $title } · Админ-панель Nova
brand = Админ-панель Nova
skip-to-content = Перейти к содержимому
nav-label = Основное меню
nav-numbers = Показатели
nav-users = Пользователи
nav-broadcast = Рассылка
nav-audit = Журнал действий
nav-migrations = Миграции
sign-out = Выйти ({ $name })
language-label = Язык
language-name-en = English
language-name-ru = Русский
date-utc = { $date } UTC
back-to-panel = Вернуться в панель

problem-title = { $status ->
    [403] Доступ запрещён
    [404] Не найдено
    [422] Не принято
   *[other] Повторите попытку
}
no-such-page = Такой страницы нет.
no-such-user = Такого пользователя нет.
no-such-bot = Такого бота нет.
no-such-announcement = Такого объявления нет.
no-kubernetes-stream = У панели нет доступа к API Kubernetes.
not-found = Запрошенная запись не найдена (возможно, её уже нет).
context-silent = Одна из частей Nova не ответила вовремя. Повторите попытку чуть позже.
csrf-failed = Форма не прошла проверку безопасности (её отправили с другой страницы или она устарела). Обновите страницу и попробуйте ещё раз.
no-longer-admin = Этот аккаунт Telegram больше не является администратором Nova.
bot-owner-missing = В форме не указано, чей это бот: откройте страницу владельца и попробуйте ещё раз.
subscription-owner-missing = В форме не указано, чья это подписка: откройте страницу пользователя и попробуйте ещё раз.
refused-by-context = Отказано: { $reason }

sign-in-title = Вход
sign-in-who = Войти могут только аккаунты Telegram, указанные в настройках панели как администраторы.
sign-in-via-bot = Администратор может также отправить /admin главному боту: в ответ придёт ссылка для однократного входа.
sign-in-no-widget = Виджет входа Telegram здесь не настроен (NOVA_ADMIN_BOT_USERNAME). Оператор может создать ссылку для входа такой командой:
sign-in-command = nova-admin-login <ваш ID в Telegram>
sign-in-refused = Вход отклонён: { $reason ->
    [incomplete] данные входа неполные.
    [bad-signature] данные входа не подписаны ботом.
    [stale] данные входа устарели, войдите заново.
   *[from-the-future] дата входа указана в будущем.
}
not-admin = Этот аккаунт Telegram не является администратором Nova.
link-sent-to = Главный бот отправил эту ссылку пользователю { $name }. Войти по ней можно один раз.
link-button = Войти как { $name }
link-invalid = Эта ссылка для входа недействительна или устарела.
link-used = По этой ссылке уже входили: каждая ссылка действует один раз.
link-ask-again = Чтобы получить новую ссылку, отправьте /admin главному боту.

users-title = Пользователи
search-label = Найти пользователя по ID в Telegram, @username или имени
search-button = Найти
search-too-long = Не больше { $max ->
    [one] { $max } символа
   *[other] { $max } символов
}.
no-match = По запросу «{ $query }» никого не нашлось.
users-found = По запросу «{ $query }» { $count ->
    [one] найден { $count } пользователь
    [few] найдено { $count } пользователя
   *[many] найдено { $count } пользователей
}
user-fallback-name = пользователь { $id }
col-name = Имя
col-username = Имя пользователя
col-telegram-id = ID в Telegram
col-first-seen = Первое появление
col-last-seen = Последняя активность
blocked-badge = заблокирован
blocked-because = Причина блокировки
form-refused = Форма не принята: см. сообщения ниже.
form-refused-because = Форма не принята: { $reason }
reason-label = Причина
reason-optional-label = Причина (необязательно)
reason-required = Укажите причину: она сохраняется в журнале действий.
reason-too-long = Не больше { $max ->
    [one] { $max } символа
   *[other] { $max } символов
}.
reason-bad-character = В причине есть символ, который нельзя сохранить.
form-incomplete = Форма неполная: обновите страницу и попробуйте ещё раз.
block-user-legend = Заблокировать пользователя
unblock-user-legend = Разблокировать пользователя
block-user-button = Заблокировать
unblock-user-button = Разблокировать
grant-legend = Выдать подписку
plan-label = Тариф
choose-plan = Выберите тариф
choose-plan-error = Выберите тариф.
plan-not-offered = Такого тарифа нет в продаже.
plan-option = { $title } ({ $kind }, { $days ->
    [one] { $days } день
    [few] { $days } дня
   *[many] { $days } дней
})
grant-button = Выдать
heading-activity = Недавние действия
heading-bots = Боты
heading-subscriptions-payments = Подписки и платежи
heading-admin-actions = Действия администраторов с этим пользователем
no-bots = Ботов нет.
col-bot = Бот
col-audience = Аудитория
col-added = Подключён
col-state = Состояние
col-action = Действие
bot-active = работает
bot-block-reason-label = Причина блокировки @{ $username }
bot-unblock-reason-label = Причина разблокировки @{ $username } (необязательно)
bot-block-button = Заблокировать @{ $username }
bot-unblock-button = Разблокировать @{ $username }
payments-silent = Контекст платежей не ответил: подписки и платежи не показаны.
no-subscriptions = Подписок нет.
subscriptions-caption = Подписки
col-kind = Вид
col-plan = Тариф
col-from = С
col-until = До
col-status = Статус
col-source = Откуда
source-invoice = счёт { $invoice }
source-granted = выдал { $admin }: { $reason }
revoke-reason-label = Причина отзыва
revoke-button = Отозвать
plan-kind = { $kind ->
    [bots] боты
    [stories] истории
    [posting] публикации
   *[other] неизвестно
}
subscription-status = { $status ->
    [active] действует
    [expired] истекла
    [revoked] отозвана
   *[other] неизвестно
}
invoice-status = { $status ->
    [pending] ожидает оплаты
    [paid] оплачен
    [expired] истёк
    [canceled] отменён
    [chargebacked] возврат платежа
   *[other] неизвестно
}
no-payments = Платежей нет.
payments-caption = Платежи
col-invoice = Счёт
col-provider = Платёжная система
col-amount = Сумма
col-created = Создан
col-paid = Оплачен
notice-done = { $action ->
    [user-block] Пользователь заблокирован: главный бот его игнорирует.
    [user-unblock] Пользователь разблокирован.
    [bot-block] Бот заблокирован: его обновления отбрасываются.
    [bot-unblock] Бот разблокирован.
    [grant] Подписка выдана.
   *[revoke] Подписка отозвана.
}

activity-silent = Не показано: { $which ->
    [publisher] не ответил контекст публикаций.
    [payments] не ответил контекст платежей.
   *[both] не ответили контексты публикаций и платежей.
}
no-activity = Действий пока нет.
activity-caption = Недавние действия, сначала новые
col-when = Когда
col-what = Что
activity-kind = { $kind ->
    [seen] визит
    [bot] бот
    [post] пост
    [payment] платёж
    [subscription] подписка
   *[admin] админ
}
activity-first-seen = впервые написал боту платформы
activity-last-seen = последний раз писал боту платформы
activity-connected = подключил @{ $username }
activity-post-wrote = написал пост { $post } в { $channels ->
    [one] { $channels } канал
    [few] { $channels } канала
   *[many] { $channels } каналов
} (сейчас: { $status })
activity-post-scheduled = запланировал пост { $post } в { $channels ->
    [one] { $channels } канал
    [few] { $channels } канала
   *[many] { $channels } каналов
} на { $at } (сейчас: { $status })
activity-post-published = пост { $post } опубликован
activity-post-published-failed = пост { $post } опубликован, не удалось в { $failed } из { $channels ->
    [one] { $channels } канала
   *[other] { $channels } каналов
}
post-status = { $status ->
    [scheduled] запланирован
    [publishing] публикуется
    [published] опубликован
    [cancelled] отменён
   *[other] неизвестно
}
activity-payment-asked = запросил оплату тарифа { $plan } (счёт { $invoice })
activity-payment-paid = оплатил тариф { $plan } (счёт { $invoice })
activity-subscription = подписка: { $plan }
activity-subscription-granted = подписка выдана вручную: { $plan }
activity-admin = { $action }, администратор { $admin } ({ $outcome })

audit-title = Журнал действий
audit-caption-latest = Последние действия администраторов, сначала новые
audit-caption-recent = Недавние действия администраторов
no-audit = Действий администраторов не записано.
col-admin = Администратор
col-target = Объект
col-reason = Причина
col-outcome = Итог
col-before-after = До → после
audit-target = { $kind ->
    [user] пользователь
    [bot] бот
    [subscription] подписка
   *[announcement] объявление
} { $id }
audit-outcome = { $outcome ->
    [pending] выполняется
    [done] выполнено
   *[failed] не удалось
}
audit-outcome-error = { $outcome ->
    [pending] выполняется
    [done] выполнено
   *[failed] не удалось
}: { $error }
show-details = показать

numbers-title = Показатели
numbers-heading = Показатели платформы
context-numbers-silent = { $context ->
    [users] Контекст пользователей не ответил, его показатели сейчас недоступны.
    [bots] Контекст ботов не ответил, его показатели сейчас недоступны.
    [payments] Контекст платежей не ответил, его показатели сейчас недоступны.
   *[publishing] Контекст публикаций не ответил, его показатели сейчас недоступны.
}
card-users = Пользователи
card-new-today = Новых сегодня
card-new-24h = Новых за 24 ч
card-active-24h = Активных за 24 ч
card-active-7d = Активных за 7 дней
as-of = По состоянию на { $date }.
card-bots = Боты
card-blocked-bots = Заблокированные боты
card-active-subscriptions = Действующие подписки
card-revenue = Выручка
no-paid-invoices-card = оплаченных счетов пока нет
card-revenue-provider = Выручка, { $provider }
payments-count = { $count ->
    [one] { $count } платёж
    [few] { $count } платежа
   *[many] { $count } платежей
}
card-posts = Посты
card-scheduled = Запланировано
card-published = Опубликовано
card-published-24h = Опубликовано за 24 ч
card-channels = Подключено каналов
heading-users = Пользователи
heading-numbers-bots = Боты
heading-posts = Посты
heading-payments = Платежи
heading-over-time = Динамика
samples-every = Интервал между замерами этих показателей — { $every }.
samples-every-since = Интервал между замерами этих показателей — { $every }; { $count ->
    [one] { $count } замер
    [few] { $count } замера
   *[many] { $count } замеров
} с { $since }.
chart-users = Пользователи
series-users = Пользователи
series-active-24h = Активных за 24 ч
series-active-7d = Активных за 7 дней
chart-bots = Боты
series-bots = Боты
series-blocked = Заблокированы
chart-active-subscriptions = Действующие подписки
chart-revenue = Выручка за всё время ({ $currency })
chart-revenue-none = Выручка за всё время
no-paid-invoices = Оплаченных счетов пока нет.
chart-no-history = Истории пока нет.
chart-figures = Цифры

broadcast-title = Рассылка
broadcast-legend = Объявление от главного бота всем пользователям
message-label = Сообщение (обычный текст, не больше { $max ->
    [one] { $max } символа
   *[other] { $max } символов
})
russian-label = Версия на русском (необязательно, не больше { $max ->
    [one] { $max } символа
   *[other] { $max } символов
})
russian-hint = Пользователи, читающие Nova по-русски, получат эту версию, остальные — сообщение выше. Оставьте поле пустым, чтобы всем ушло сообщение выше.
russian-too-long = В русской версии { $length ->
    [one] { $length } символ
    [few] { $length } символа
   *[many] { $length } символов
}, а Telegram принимает не больше { $max }. Сократите её на { $over ->
    [one] { $over } символ
    [few] { $over } символа
   *[many] { $over } символов
}.
russian-bad-character = В русской версии есть символ, который нельзя отправить.
heading-russian-version = Версия на русском
announcement-refused = Контекст публикаций отклонил это объявление.
broadcast-hint = Каждый пользователь, не заблокированный здесь, получит его один раз, в темпе Telegram (30 сообщений в секунду); тех, кто заблокировал бота, посчитаем, но повторять не будем.
broadcast-send = Отправить всем
heading-past-announcements = Прошлые объявления
publisher-silent = Контекст публикаций не ответил: прошлые объявления сейчас не показать.
no-announcements = Объявлений ещё не было.
announcements-caption = Прошлые объявления, сначала новые
col-by = Автор
col-message = Сообщение
col-progress = Ход рассылки
announcement-state = { $state ->
    [preparing] составляется список получателей
    [sending] отправляется
    [done] завершено
   *[unknown] неизвестно
}
announcement-summary = отправлено: { $sent }, заблокировали бота: { $blocked }, ошибок: { $failed }, осталось: { $remaining }
announcement-empty = Напишите текст сообщения: сейчас оно пустое.
announcement-too-long = В сообщении { $length ->
    [one] { $length } символ
    [few] { $length } символа
   *[many] { $length } символов
}, а Telegram принимает не больше { $max }. Сократите его на { $over ->
    [one] { $over } символ
    [few] { $over } символа
   *[many] { $over } символов
}.
announcement-bad-character = В сообщении есть символ, который нельзя отправить.
announcement-title = Объявление { $id }
announcement-state-label = Состояние:
announcement-updates = (страница обновляется раз в { $seconds ->
    [one] { $seconds } секунду
    [few] { $seconds } секунды
   *[many] { $seconds } секунд
})
announcement-progress-label = Получатели с известным итогом
announcement-progress = { $settled } из { $recipients }
announcement-progress-cards = Ход рассылки
count-recipients = получатели
count-sent = отправлено
count-blocked = заблокировали бота или ни разу его не запускали (Telegram 403)
count-failed = не удалось отправить
count-remaining = осталось
count-rate = скорость, сообщений в секунду (за последние 10 с)
sent-by = Отправил
started = Начато
finished = Закончено
heading-message = Сообщение
all-announcements = Все объявления

migrations-title = Миграции
no-kubernetes = У панели нет доступа к API Kubernetes (нет сервисного аккаунта в кластере и нет KUBECONFIG).
kubernetes-silent = API Kubernetes не ответил.
kubernetes-refused = API Kubernetes не ответил: HTTP { $status }
no-migrations = NovaMigration нет.
migrations-caption = NovaMigration (только просмотр)
col-stage = Этап
col-route = Маршрут
col-phase = Фаза
col-weight = Вес
col-step = Шаг
col-last-analysis = Последний анализ
phase-changed = { $name }: фаза { $from } → { $to }
`;
