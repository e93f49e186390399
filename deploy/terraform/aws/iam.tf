# The role QR Forge's pods assume through IRSA (service account qrforge/qrforge): its own bucket
# and key, nothing else.

data "aws_iam_policy_document" "assume_from_service_account" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [module.eks.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:sub"
      values   = ["system:serviceaccount:qrforge:qrforge"]
    }
    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "qrforge" {
  name               = "${local.name}-app"
  assume_role_policy = data.aws_iam_policy_document.assume_from_service_account.json
}

data "aws_iam_policy_document" "objects" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = [module.objects.bucket_arn]
  }
  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${module.objects.bucket_arn}/*"]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.objects.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "objects" {
  name   = "objects"
  role   = aws_iam_role.qrforge.id
  policy = data.aws_iam_policy_document.objects.json
}
