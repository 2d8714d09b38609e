"""The built-in message texts, per event and language: seeded into ``MessageTemplate`` by migration
``0003_h8a_outbox`` (editable in the admin afterwards) and used when a row is missing."""

# key: {language: (subject, body, sms)}
TEMPLATES = {
    "receipt": {
        "vi": ("Giấy biên nhận đơn {{ tracking_code }}",
               "{{ unit }} đã nhận đơn {{ kind }} của ông/bà ngày {{ date }}. Mã tra cứu: {{ tracking_code }}.",
               "{{ unit }} da nhan don {{ tracking_code }} ngay {{ date }}."),
        "en": ("Receipt of petition {{ tracking_code }}",
               "{{ unit }} received your {{ kind }} on {{ date }}. Tracking code: {{ tracking_code }}.",
               "{{ unit }} received petition {{ tracking_code }} on {{ date }}."),
    },
    "acceptance": {
        "vi": ("Thông báo thụ lý đơn {{ tracking_code }}",
               "{{ unit }} đã thụ lý đơn {{ tracking_code }} ngày {{ date }} ({{ legal_basis }}). "
               "{% if resolution_due %}Thời hạn giải quyết: {{ resolution_due }}.{% endif %}",
               "Don {{ tracking_code }} da duoc thu ly ngay {{ date }}."),
        "en": ("Notice of acceptance of {{ tracking_code }}",
               "{{ unit }} accepted petition {{ tracking_code }} on {{ date }} ({{ legal_basis }}). "
               "{% if resolution_due %}To be resolved by {{ resolution_due }}.{% endif %}",
               "Petition {{ tracking_code }} was accepted on {{ date }}."),
    },
    "refusal": {
        "vi": ("Thông báo không thụ lý đơn {{ tracking_code }}",
               "{{ unit }} không thụ lý đơn {{ tracking_code }} ({{ legal_basis }}). Lý do: {{ reason }}",
               "Don {{ tracking_code }} khong duoc thu ly. Ly do: {{ reason|truncatechars:100 }}"),
        "en": ("Notice of non-acceptance of {{ tracking_code }}",
               "{{ unit }} did not accept petition {{ tracking_code }} ({{ legal_basis }}). Reasons: {{ reason }}",
               "Petition {{ tracking_code }} was not accepted. Reasons: {{ reason|truncatechars:100 }}"),
    },
    "forwarding": {
        "vi": ("Thông báo chuyển đơn {{ tracking_code }}",
               "{{ unit }} đã chuyển đơn {{ tracking_code }} đến {{ to_body }} ngày {{ date }} ({{ legal_basis }}).",
               "Don {{ tracking_code }} da duoc chuyen den {{ to_body }}."),
        "en": ("Petition {{ tracking_code }} forwarded",
               "{{ unit }} forwarded petition {{ tracking_code }} to {{ to_body }} on {{ date }} ({{ legal_basis }}).",
               "Petition {{ tracking_code }} was forwarded to {{ to_body }}."),
    },
    "guidance": {
        "vi": ("Văn bản hướng dẫn về đơn {{ tracking_code }}",
               "{{ unit }} hướng dẫn ông/bà về đơn {{ tracking_code }}: {{ reason }}",
               "Don {{ tracking_code }}: {{ unit }} da gui van ban huong dan."),
        "en": ("Guidance on petition {{ tracking_code }}",
               "{{ unit }} gives you guidance on petition {{ tracking_code }}: {{ reason }}",
               "Petition {{ tracking_code }}: {{ unit }} sent you guidance."),
    },
    "dialogue_invitation": {
        "vi": ("Giấy mời đối thoại về đơn {{ tracking_code }}",
               "{{ unit }} mời ông/bà đối thoại về đơn {{ tracking_code }} lúc {{ dialogue_at }} tại {{ place }}.",
               "Moi doi thoai don {{ tracking_code }} luc {{ dialogue_at }} tai {{ place|truncatechars:60 }}."),
        "en": ("Invitation to a dialogue on {{ tracking_code }}",
               "{{ unit }} invites you to a dialogue on petition {{ tracking_code }} at {{ dialogue_at }}, {{ place }}.",
               "Dialogue on {{ tracking_code }} at {{ dialogue_at }}, {{ place|truncatechars:60 }}."),
    },
    "suspension": {
        "vi": ("Thông báo tạm đình chỉ giải quyết đơn {{ tracking_code }}",
               "{{ unit }} tạm đình chỉ giải quyết đơn {{ tracking_code }} từ ngày {{ date }} ({{ legal_basis }}).",
               "Don {{ tracking_code }} tam dinh chi giai quyet tu {{ date }}."),
        "en": ("Resolution of {{ tracking_code }} suspended",
               "{{ unit }} suspended the resolution of {{ tracking_code }} from {{ date }} ({{ legal_basis }}).",
               "Resolution of {{ tracking_code }} suspended from {{ date }}."),
    },
    "resumption": {
        "vi": ("Thông báo tiếp tục giải quyết đơn {{ tracking_code }}",
               "{{ unit }} tiếp tục giải quyết đơn {{ tracking_code }} từ ngày {{ date }} ({{ legal_basis }}).",
               "Don {{ tracking_code }} tiep tuc giai quyet tu {{ date }}."),
        "en": ("Resolution of {{ tracking_code }} resumed",
               "{{ unit }} resumed the resolution of {{ tracking_code }} on {{ date }} ({{ legal_basis }}).",
               "Resolution of {{ tracking_code }} resumed on {{ date }}."),
    },
    "extension": {
        "vi": ("Quyết định gia hạn giải quyết đơn {{ tracking_code }}",
               "{{ unit }} gia hạn giải quyết đơn {{ tracking_code }} thêm {{ days }} ngày ({{ legal_basis }}). "
               "{% if resolution_due %}Thời hạn mới: {{ resolution_due }}.{% endif %}",
               "Don {{ tracking_code }} duoc gia han {{ days }} ngay."),
        "en": ("Resolution period of {{ tracking_code }} extended",
               "{{ unit }} extended the resolution of {{ tracking_code }} by {{ days }} days ({{ legal_basis }}). "
               "{% if resolution_due %}New deadline: {{ resolution_due }}.{% endif %}",
               "Resolution of {{ tracking_code }} extended by {{ days }} days."),
    },
    "decision": {
        "vi": ("Quyết định giải quyết khiếu nại {{ tracking_code }}",
               "{{ unit }} đã ban hành quyết định giải quyết khiếu nại {{ decision_number }} ngày {{ date }} "
               "({{ legal_basis }}).",
               "Khieu nai {{ tracking_code }} da co quyet dinh giai quyet {{ decision_number }}."),
        "en": ("Decision on complaint {{ tracking_code }}",
               "{{ unit }} issued decision {{ decision_number }} on complaint {{ tracking_code }} on {{ date }} "
               "({{ legal_basis }}).",
               "Complaint {{ tracking_code }} decided: {{ decision_number }}."),
    },
    "conclusion": {
        "vi": ("Kết luận nội dung tố cáo {{ tracking_code }}",
               "{{ unit }} đã ban hành kết luận nội dung tố cáo {{ decision_number }} ngày {{ date }} ({{ legal_basis }}).",
               "To cao {{ tracking_code }} da co ket luan {{ decision_number }}."),
        "en": ("Conclusion on denunciation {{ tracking_code }}",
               "{{ unit }} issued conclusion {{ decision_number }} on denunciation {{ tracking_code }} on {{ date }} "
               "({{ legal_basis }}).",
               "Denunciation {{ tracking_code }} concluded: {{ decision_number }}."),
    },
    "accused_acceptance": {
        "vi": ("Thông báo nội dung tố cáo {{ tracking_code }}",
               "{{ unit }} đã thụ lý tố cáo {{ tracking_code }} liên quan đến ông/bà ngày {{ date }} ({{ legal_basis }}). "
               "Nội dung tố cáo: {{ content }}",
               "{{ unit }} da thu ly to cao {{ tracking_code }} lien quan den ong/ba."),
        "en": ("Notice of the content of denunciation {{ tracking_code }}",
               "{{ unit }} accepted denunciation {{ tracking_code }} concerning you on {{ date }} ({{ legal_basis }}). "
               "Content: {{ content }}",
               "{{ unit }} accepted denunciation {{ tracking_code }} concerning you."),
    },
    "accused_extension": {
        "vi": ("Quyết định gia hạn giải quyết tố cáo {{ tracking_code }}",
               "{{ unit }} gia hạn giải quyết tố cáo {{ tracking_code }} thêm {{ days }} ngày ({{ legal_basis }}).",
               "To cao {{ tracking_code }} duoc gia han {{ days }} ngay."),
        "en": ("Resolution of denunciation {{ tracking_code }} extended",
               "{{ unit }} extended the resolution of denunciation {{ tracking_code }} by {{ days }} days ({{ legal_basis }}).",
               "Denunciation {{ tracking_code }} extended by {{ days }} days."),
    },
    "accused_suspension": {
        "vi": ("Thông báo tạm đình chỉ giải quyết tố cáo {{ tracking_code }}",
               "{{ unit }} tạm đình chỉ giải quyết tố cáo {{ tracking_code }} từ ngày {{ date }} ({{ legal_basis }}).",
               "To cao {{ tracking_code }} tam dinh chi tu {{ date }}."),
        "en": ("Resolution of denunciation {{ tracking_code }} suspended",
               "{{ unit }} suspended the resolution of denunciation {{ tracking_code }} from {{ date }} ({{ legal_basis }}).",
               "Denunciation {{ tracking_code }} suspended from {{ date }}."),
    },
    "accused_resumption": {
        "vi": ("Thông báo tiếp tục giải quyết tố cáo {{ tracking_code }}",
               "{{ unit }} tiếp tục giải quyết tố cáo {{ tracking_code }} từ ngày {{ date }} ({{ legal_basis }}).",
               "To cao {{ tracking_code }} tiep tuc giai quyet tu {{ date }}."),
        "en": ("Resolution of denunciation {{ tracking_code }} resumed",
               "{{ unit }} resumed the resolution of denunciation {{ tracking_code }} on {{ date }} ({{ legal_basis }}).",
               "Denunciation {{ tracking_code }} resumed on {{ date }}."),
    },
    "accused_conclusion": {
        "vi": ("Kết luận nội dung tố cáo {{ tracking_code }}",
               "{{ unit }} đã ban hành kết luận nội dung tố cáo {{ decision_number }} ngày {{ date }} ({{ legal_basis }}).",
               "To cao {{ tracking_code }} da co ket luan {{ decision_number }}."),
        "en": ("Conclusion on denunciation {{ tracking_code }}",
               "{{ unit }} issued conclusion {{ decision_number }} on denunciation {{ tracking_code }} on {{ date }} "
               "({{ legal_basis }}).",
               "Denunciation {{ tracking_code }} concluded: {{ decision_number }}."),
    },
    "task_assigned": {
        "vi": ("Được giao xử lý đơn {{ tracking_code }}",
               "Ông/bà được giao xử lý đơn {{ tracking_code }} ({{ kind }}, {{ unit }}) ngày {{ date }}."
               "{% if resolution_due %} Thời hạn: {{ resolution_due }}.{% endif %}",
               "Duoc giao xu ly don {{ tracking_code }}."),
        "en": ("Case {{ tracking_code }} assigned to you",
               "You were assigned case {{ tracking_code }} ({{ kind }}, {{ unit }}) on {{ date }}."
               "{% if resolution_due %} Due {{ resolution_due }}.{% endif %}",
               "Case {{ tracking_code }} assigned to you."),
    },
    "handler_reminder": {
        "vi": ("Nhắc xử lý đơn {{ tracking_code }}",
               "Thủ trưởng nhắc ông/bà xử lý đơn {{ tracking_code }} ({{ kind }}, {{ unit }}) ngày {{ date }}."
               "{% if resolution_due %} Thời hạn: {{ resolution_due }}.{% endif %}"
               "{% if message %} Lời nhắn: {{ message }}{% endif %}",
               "Nhac xu ly don {{ tracking_code }}."),
        "en": ("Reminder: case {{ tracking_code }}",
               "The head reminds you of case {{ tracking_code }} ({{ kind }}, {{ unit }}) on {{ date }}."
               "{% if resolution_due %} Due {{ resolution_due }}.{% endif %}"
               "{% if message %} Message: {{ message }}{% endif %}",
               "Reminder: case {{ tracking_code }}."),
    },
    "daily_digest": {
        "vi": ("Tổng hợp đơn sắp đến hạn và quá hạn ngày {{ date }}",
               "{% for item in items %}{{ item.unit }}: {{ item.count }} đơn {% if item.reason == 'due_soon' %}sắp đến hạn"
               "{% elif item.reason == 'overdue' %}quá hạn{% elif item.reason == 'overdue_above' %}của đơn vị cấp dưới "
               "vẫn quá hạn{% else %}đông người{% endif %}\n{% endfor %}",
               "{{ total }} don can chu y ngay {{ date }}."),
        "en": ("Cases due soon and overdue, {{ date }}",
               "{% for item in items %}{{ item.unit }}: {{ item.count }} case{{ item.count|pluralize }} "
               "{% if item.reason == 'due_soon' %}due soon{% elif item.reason == 'overdue' %}overdue"
               "{% elif item.reason == 'overdue_above' %}still overdue in a unit below{% else %}mass petition{% endif %}\n"
               "{% endfor %}",
               "{{ total }} cases need attention on {{ date }}."),
    },
}
