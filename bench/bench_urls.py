"""The project's URLs plus the bench's baseline: a bare view rendering 50 rows from one indexed query."""
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as project_urls

_BARE = engines["django"].from_string(
    "<table>{% for c in rows %}<tr><td>{{ c.tracking_code }}</td><td>{{ c.kind }}</td><td>{{ c.status }}</td>"
    "<td>{{ c.resolution_due|date:'d/m/Y' }}</td></tr>{% endfor %}</table>"
)


def bare_rows(request):
    from cases.models import Case

    unit = request.GET["unit"]
    rows = Case.objects.filter(competent_unit_id=unit, status__in=("accepted", "in_verification", "in_dialogue"),
                               sla_state="overdue").order_by("resolution_due", "acceptance_due", "-is_mass", "pk")[:50]
    return HttpResponse(_BARE.render({"rows": rows}))


def _bare_insert_view():
    """bench/api_intake.py's baseline: a DRF view with the API's token auth that inserts one row and answers 201."""
    from django.db import connection
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class BareInsert(APIView):
        def post(self, request):
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_bare_row (body, created_at) VALUES (%s, now()) RETURNING id",
                               [request.body.decode()])
                row_id = cursor.fetchone()[0]
            return Response({"id": row_id}, status=201)

    return BareInsert.as_view()


urlpatterns = [path("bench/bare/", bare_rows), path("bench/bare-insert/", _bare_insert_view()), *project_urls]
