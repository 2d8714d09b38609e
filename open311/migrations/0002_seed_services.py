"""The Open311 services offered out of the box: public-service feedback (phản ánh) and one
recommendation (kiến nghị) field, each on its own topic under "Hạ tầng, dịch vụ công cộng".

Reference data, changed afterwards in the admin by the system administrator. Re-running is
harmless (get_or_create); reversing deletes only the services (the topics may have cases).
"""
from django.db import migrations

PARENT = ("public-services", "Hạ tầng, dịch vụ công cộng")

TIME_OF_DAY = {
    "code": "time_of_day", "datatype": "singlevaluelist", "required": False, "order": 1,
    "description": "Thường xảy ra vào lúc nào?",
    "values": [{"key": "day", "name": "Ban ngày"}, {"key": "night", "name": "Ban đêm (22h–6h)"}],
}
POLE_NUMBER = {
    "code": "pole_number", "datatype": "string", "required": False, "order": 1,
    "description": "Số hiệu cột đèn (nếu có)",
}

SERVICES = [
    # service_code, topic code, topic / service name, kind, group, keywords, description, attributes
    ("road-damage", "roads", "Hư hỏng đường, vỉa hè", "feedback", "Giao thông",
     "ổ gà, đường hỏng, vỉa hè, pothole", "Ổ gà, lún nứt mặt đường, vỉa hè hư hỏng.", []),
    ("street-lighting", "street-lighting", "Đèn chiếu sáng công cộng", "feedback", "Hạ tầng đô thị",
     "đèn đường, chiếu sáng, street light", "Đèn đường không sáng, sáng ban ngày hoặc cột đèn hư hỏng.",
     [POLE_NUMBER]),
    ("waste", "waste", "Rác thải, vệ sinh môi trường", "feedback", "Môi trường",
     "rác, vệ sinh, waste", "Rác không được thu gom, đổ rác trái phép.", []),
    ("noise", "noise", "Tiếng ồn", "feedback", "Môi trường",
     "ồn, karaoke, công trình, noise", "Tiếng ồn kéo dài từ cơ sở, công trình hoặc hộ dân.", [TIME_OF_DAY]),
    ("drainage", "drainage", "Ngập úng, thoát nước", "feedback", "Hạ tầng đô thị",
     "ngập, cống, thoát nước, flooding", "Ngập khi mưa, cống tắc hoặc mất nắp cống.", []),
    ("public-service-proposal", "public-service-proposals", "Kiến nghị về dịch vụ công", "recommendation",
     "Dịch vụ công", "kiến nghị, đề xuất, proposal", "Đề xuất cải thiện một dịch vụ công.", []),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("cases", "Topic")
    Service = apps.get_model("open311", "Open311Service")
    parent, _created = Topic.objects.get_or_create(code=PARENT[0], defaults={"name": PARENT[1]})
    for code, topic_code, name, kind, group, keywords, description, attributes in SERVICES:
        topic, _created = Topic.objects.get_or_create(code=topic_code, defaults={"name": name, "parent": parent})
        Service.objects.get_or_create(service_code=code, defaults={
            "name": name, "topic": topic, "kind": kind, "group": group, "keywords": keywords,
            "description": description, "attributes": attributes,
        })


def unseed(apps, schema_editor):
    Service = apps.get_model("open311", "Open311Service")
    Service.objects.filter(service_code__in=[row[0] for row in SERVICES]).delete()


class Migration(migrations.Migration):
    dependencies = [("open311", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
