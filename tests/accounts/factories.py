import factory

from accounts.enums import Role
from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a role; pass `structures=[...]` for a caseworker, `territories="departement:13"` else."""

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.django.Password("motdepasse-de-test")
    role = Role.CASEWORKER

    class Params:
        caseworker = factory.Trait(role=Role.CASEWORKER)
        coordinator = factory.Trait(role=Role.COORDINATOR, territories="departement:13")
        administrator = factory.Trait(role=Role.ADMINISTRATOR, territories="region:93")
        observer = factory.Trait(role=Role.OBSERVER, territories="region:93")

    @factory.post_generation
    def structures(self, create, extracted, **kwargs):
        if create and extracted:
            self.structures.set(extracted)
