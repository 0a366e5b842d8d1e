"""The 微信公众号 bridge: WeChat callbacks <-> Rasa's REST channel, 客服消息 for slow turns,
uploads to the API, the outbox notifier, the custom menu and scene QR codes
(docs/channels.md, ``bridge.mmd``). Build the web app with :func:`channels.wechat.app.build`."""
