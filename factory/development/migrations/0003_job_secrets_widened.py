from django.db import migrations


def secrets_take_out_widened(apps, schema_editor):
    """Jobs stored before more values counted as secret (properties and parameters named like a secret,
    Shell ``interactiveArgs``, passwords in URLs, ``Authorization:`` header lines, ``--password`` values):
    those values move into the encrypted column beside the secrets already there, and every version's
    copies of them are emptied. Rows holding none of them are not written."""
    from factory.crypto import secrets_decrypt, secrets_encrypt
    from factory.development.secrets import job_document_redacted, job_secrets_split

    Job = apps.get_model("development", "Job")
    JobVersion = apps.get_model("development", "JobVersion")
    for job in Job.objects.only("pk", "document", "secrets_encrypted").iterator(chunk_size=500):
        stored = secrets_decrypt(ciphertext=job.secrets_encrypted)
        document, secrets = job_secrets_split(document=job.document, stored=stored)
        if document != job.document or secrets != stored:
            Job.objects.filter(pk=job.pk).update(
                document=document,
                secrets_encrypted=secrets_encrypt(values=secrets),
                secret_fields=sorted(secrets),
            )
    for version in JobVersion.objects.only("pk", "document").iterator(chunk_size=500):
        document = job_document_redacted(document=version.document)
        if document != version.document:
            JobVersion.objects.filter(pk=version.pk).update(document=document)


class Migration(migrations.Migration):
    dependencies = [
        ("development", "0002_job_secrets"),
    ]

    # Not reversible into clear text: going back leaves the values emptied.
    operations = [migrations.RunPython(secrets_take_out_widened, migrations.RunPython.noop)]
