from django.urls import path

from notifications.views import todo

app_name = "notifications"

urlpatterns = [
    path("", todo.todo_list, name="list"),
    path("nombre/", todo.todo_count, name="count"),
    path("preferences/", todo.preferences, name="preferences"),
    path("<int:pk>/ouvrir/", todo.todo_open, name="open"),
    path("<int:pk>/traite/", todo.todo_clear, name="clear"),
]
